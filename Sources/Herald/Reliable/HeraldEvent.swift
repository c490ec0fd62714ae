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

    /// The name of event `name` on wires other than Socket.IO's: Herald's own renamed, any other unchanged.
    public static func clientName(of name: String) -> String {
        HeraldEvent(rawValue: name)?.clientName ?? name
    }
}
