/// One event dispatched from a `text/event-stream` (the WHATWG rules): its type, its data lines joined with LF, and
/// the last event ID the stream had set when it was dispatched.
struct ServerSentEvent: Equatable {
    /// The `event:` field, or `message` when the event had none.
    let type: String
    /// The `data:` lines joined with LF.
    let data: [UInt8]
    /// The stream's last event ID (the latest `id:` field so far), if any.
    let lastEventID: String?
}
