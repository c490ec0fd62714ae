import Herald
import SocketIO

/// What a plain WebSocket JSON client sends (`/ws/<site>`), and the messages Herald renders from strangers' text.
enum PlainWebSocketFuzzing {
    private static let maxIDs = 16

    /// The first byte picks the check. Even: a client message; an accepted ack names at most `maxIDs` IDs and, sent
    /// back in Herald's own form, reads as the same message. Odd: the text as an event name and a string argument;
    /// the rendered message is JSON that names the same event with the same argument.
    static func messages(_ input: UnsafeRawBufferPointer) {
        guard let selector = input.first else { return }
        let text = String(decoding: input.dropFirst(), as: UTF8.self)
        if selector & 1 == 0 {
            guard let message = try? PlainClientMessage.parse(text, maxIDs: maxIDs) else { return }
            if case .acknowledge(let ids) = message {
                precondition(ids.count <= maxIDs, "an ack named \(ids.count) IDs")
                let again = #"{"type":"ack","ids":["# + ids.map { #"""# + $0.description + #"""# }.joined(separator: ",") + "]}"
                precondition((try? PlainClientMessage.parse(again, maxIDs: maxIDs)) == message, "ack did not read back: \(again)")
            }
            return
        }
        let rendered = PlainServerMessage.event(name: text, arguments: [.string(text)], id: FlakeID(rawValue: 42)).text
        guard let value = try? JSONValue(parsing: rendered) else {
            preconditionFailure("rendered message is not JSON: \(rendered)")
        }
        precondition(value["event"]?.stringValue == text, "rendered message names another event: \(rendered)")
        precondition(value["args"] == .array([.string(text)]), "rendered message has other arguments: \(rendered)")
        precondition(value["id"]?.stringValue == "42", "rendered message has another ID: \(rendered)")
    }
}
