import Herald
import SocketIO

/// What the event-server drop-in reads from strangers: listener init messages and `POST /event` bodies.
enum EventServerFuzzing {
    private static let maxEvents = 8

    /// The first byte picks the reader (even: a listener's init message, odd: a `POST /event` body). An accepted
    /// init subscribes to no more types than allowed; an accepted body becomes a listener message that is JSON and
    /// names the same event.
    static func messages(_ input: UnsafeRawBufferPointer) {
        guard let selector = input.first else { return }
        let text = String(decoding: input.dropFirst(), as: UTF8.self)
        if selector & 1 == 0 {
            if case .success(let request) = ListenerInit.parse(text, maxEvents: maxEvents) {
                precondition(request.events.count <= maxEvents, "init subscribed to \(request.events.count) types")
            }
            return
        }
        guard let fired = FiredEvent(body: text) else { return }
        guard let message = try? JSONValue(parsing: fired.listenerMessage) else {
            preconditionFailure("listener message is not JSON: \(fired.listenerMessage)")
        }
        precondition(message["type"]?.stringValue == "event", "listener message without its type: \(message)")
        precondition(message["event"]?.stringValue == fired.event, "listener message names another event: \(message)")
    }
}
