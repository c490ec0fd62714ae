/// What a bench client does about one message from the server, whatever protocol carried it: the dialects decode,
/// the connection handlers act.
enum ClientReaction: Equatable {
    /// Nothing: a message the bench does not use.
    case none
    /// Send this text back (a heartbeat answer, or the next step of the setup).
    case reply([UInt8])
    /// The server admitted the client.
    case joined
    /// The server refused the client (or, once joined, ended it), with its reason.
    case refused(String)
    /// The server ended the session.
    case ended
    /// A message arrived: its stamps when it is one the bench counts, and the acknowledgement to send when it
    /// carries an ID to acknowledge.
    case received(Delivery?, ack: [UInt8]?)
}

/// The stamps of one bench event, or of every message in a batch of queued ones.
struct Delivery: Equatable {
    /// One stamp per message.
    let stamps: [Stamp]
    /// Whether they came in a batch of messages queued while the device was away (no latency is taken for those).
    let batch: Bool
}
