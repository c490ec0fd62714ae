public import SocketIO

/// A message Herald sends a plain WebSocket JSON client, rendered as one JSON text frame. `type` comes first, so a
/// client (or a person reading `websocat`) sees what a message is at a glance.
public enum PlainServerMessage: Sendable, Hashable {
    /// An event; `id` is the flake ID of a message kept in the device's queue, which the client acknowledges.
    case event(name: String, arguments: [JSONValue], id: FlakeID?)
    /// What the device missed while away, in queue order; acknowledged with the IDs of all of them.
    case batch([StoredMessage])
    /// The connection's settings (`device_ttl`, …): the fields of Socket.IO's `_settings` object.
    case settings([String: JSONValue])
    /// The client must reload its state: its queue overflowed (no `event`), or a message asked for it.
    case resync(event: String?)
    /// An event the client answers with `{"type":"reply","ref":N,"data":…}` (a backend's `POST /rpc`).
    case call(name: String, arguments: [JSONValue], ref: Int)
    /// The answer to the client's request with this `ref`.
    case reply(ref: Int, data: JSONValue)
    /// The answer to `{"type":"ping"}`.
    case pong
    /// Why the connection ends; the close frame that follows carries the matching 4xxx code.
    case error(PlainCloseReason, message: String)

    /// The JSON text.
    public var text: String {
        var out = #"{"type":"#
        switch self {
        case .event(let name, let arguments, let id):
            out += #""event","event":"#
            JSONValue.string(name).write(to: &out)
            out += #","args":"#
            JSONValue.array(arguments).write(to: &out)
            if let id {
                out += #","id":""# + id.description + #"""#
            }
        case .batch(let messages):
            out += #""batch","messages":["#
            for (index, message) in messages.enumerated() {
                if index > 0 { out += "," }
                out += #"{"event":"#
                JSONValue.string(message.event).write(to: &out)
                out += #","args":"#
                JSONValue.array(message.arguments).write(to: &out)
                out += #","id":""# + message.id.description + #""}"#
            }
            out += "]"
        case .settings(let fields):
            out += #""settings""#
            for key in fields.keys.sorted() where key != "type" {
                out += ","
                JSONValue.string(key).write(to: &out)
                out += ":"
                fields[key]?.write(to: &out)
            }
        case .resync(let event):
            out += #""resync""#
            if let event {
                out += #","event":"#
                JSONValue.string(event).write(to: &out)
            }
        case .call(let name, let arguments, let ref):
            out += #""call","event":"#
            JSONValue.string(name).write(to: &out)
            out += #","args":"#
            JSONValue.array(arguments).write(to: &out)
            out += #","ref":"# + String(ref)
        case .reply(let ref, let data):
            out += #""reply","ref":"# + String(ref) + #","data":"#
            data.write(to: &out)
        case .pong:
            out += #""pong""#
        case .error(let reason, let message):
            out += #""error","code":""# + reason.code + #"","message":"#
            JSONValue.string(message).write(to: &out)
        }
        out += "}"
        return out
    }
}
