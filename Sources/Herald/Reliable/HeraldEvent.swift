import SocketIO

/// Herald's own events to clients. Socket.IO clients get them under the Node service's names (the raw values);
/// clients of other wires (plain WebSocket JSON, Server-Sent Events) under ``clientName``.
public enum HeraldEvent: String, Sendable, CaseIterable {
    /// The connection's settings (`device_ttl`), first after admission.
    case settings = "_settings"
    /// What a device missed while away, in one message.
    case batch = "_batch"
    /// The client must reload its state.
    case resync = "_resync"
    /// The client's JWT expired (`{"exp": N}`); the socket is disconnected right after.
    case expired = "_expired"
    /// A device arrived in a room of a site with presence (`{"user", "deviceId"}`), sent to the room.
    case join = "_join"
    /// A device left a room of a site with presence, its grace over (`{"user", "deviceId"}`), sent to the room.
    case leave = "_leave"

    /// The name on wires other than Socket.IO's.
    public var clientName: String {
        switch self {
        case .settings: "settings"
        case .batch: "batch"
        case .resync: "resync"
        case .expired: "expired"
        case .join: "join"
        case .leave: "leave"
        }
    }

    /// Socket.IO's reserved event names, which its clients handle themselves.
    static let socketIOReservedNames: Set<String> = [
        "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener",
    ]

    /// Whether clients and backends are kept from emitting `name` to clients: Herald's own events and names (a
    /// leading `_`) and Socket.IO's reserved ones, so nobody can make a client see a `_batch` or a `connect`.
    public static func isReserved(_ name: String) -> Bool {
        name.hasPrefix("_") || socketIOReservedNames.contains(name)
    }

    /// An event's `args` as a client or a backend names them: none (absent or null), a JSON array, or one value.
    static func arguments(_ value: JSONValue?) -> [JSONValue] {
        switch value {
        case nil, .null?: []
        case .array(let items)?: items
        case let single?: [single]
        }
    }

    /// The name of event `name` on wires other than Socket.IO's: Herald's own renamed, any other unchanged.
    public static func clientName(of name: String) -> String {
        HeraldEvent(rawValue: name)?.clientName ?? name
    }
}
