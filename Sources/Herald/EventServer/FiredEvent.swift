public import SocketIO

/// An event a backend fires with `POST /event` (`{"event": "<type>", "data": ...}`), on its way to every listener
/// subscribed to its type, on every instance.
public struct FiredEvent: Sendable, Hashable {
    /// The event type.
    public var event: String
    /// The data, passed on as it came; nil when the body had none (the listener's message then has no `data`).
    public var data: JSONValue?

    /// Creates an event.
    public init(event: String, data: JSONValue?) {
        self.event = event
        self.data = data
    }

    /// Reads a `POST /event` body: a JSON object whose `event` is a string. nil for anything else (`INVALID_BODY`).
    public init?(body: String) {
        guard let value = try? JSONValue(parsing: body), value.objectValue != nil, let event = value["event"]?.stringValue
        else { return nil }
        self.init(event: event, data: value["data"])
    }

    /// What a listener receives: `{"type":"event","event":"<type>","data":...}`, keys in the original's order.
    public var listenerMessage: String {
        var text = #"{"type":"event","event":"#
        JSONValue.string(event).write(to: &text)
        if let data {
            text += #","data":"#
            data.write(to: &text)
        }
        text += "}"
        return text
    }
}
