import Herald
import SocketIO

/// The admin API's questions and answers as the control exchange carries them (JSON inside ``ControlMessage``).
enum AdminMessage {
    static func encode(_ query: AdminQuery) -> JSONValue {
        switch query {
        case .sites:
            return ["q": "sites"]
        case .rooms(let site):
            return ["q": "rooms", "s": .string(site)]
        case .sockets(let site, let room, let limit):
            return ["q": "sockets", "s": .string(site), "r": .string(room), "n": .int(Int64(limit))]
        }
    }

    static func query(from value: JSONValue) -> AdminQuery? {
        switch value["q"]?.stringValue {
        case "sites":
            return .sites
        case "rooms":
            return value["s"]?.stringValue.map { .rooms(site: $0) }
        case "sockets":
            guard let site = value["s"]?.stringValue, let room = value["r"]?.stringValue, case .int(let limit)? = value["n"],
                (1...Int64(AdminLimits.maxSockets)).contains(limit)
            else { return nil }
            return .sockets(site: site, room: room, limit: Int(limit))
        default:
            return nil
        }
    }

    static func encode(_ answer: AdminAnswer) -> JSONValue {
        switch answer {
        case .sites(let sites):
            return ["a": "sites", "l": .array(sites.map(encode))]
        case .rooms(let rooms, let truncated):
            return ["a": "rooms", "l": rooms.map { .array($0.map(encode)) } ?? .null, "t": .bool(truncated)]
        case .sockets(let sockets, let truncated):
            return ["a": "sockets", "l": sockets.map { .array($0.map(encode)) } ?? .null, "t": .bool(truncated)]
        }
    }

    static func answer(from value: JSONValue) -> AdminAnswer? {
        let truncated = value["t"] == .bool(true)
        let list = value["l"]?.arrayValue
        switch value["a"]?.stringValue {
        case "sites":
            return list.map { .sites($0.compactMap(site(from:))) }
        case "rooms":
            return .rooms(list.map { $0.compactMap(room(from:)) }, truncated: truncated)
        case "sockets":
            return .sockets(list.map { $0.compactMap(socket(from:)) }, truncated: truncated)
        default:
            return nil
        }
    }

    private static func encode(_ site: SiteSummary) -> JSONValue {
        [
            "n": .string(site.name),
            "tr": .object(site.socketsByTransport.mapValues { .int(Int64($0)) }),
            "m": .int(Int64(site.messagesEmitted)),
        ]
    }

    private static func site(from value: JSONValue) -> SiteSummary? {
        guard let name = value["n"]?.stringValue, case .object(let transports)? = value["tr"], case .int(let emitted)? = value["m"]
        else { return nil }
        var byTransport: [String: Int] = [:]
        for (transport, count) in transports {
            if case .int(let count) = count { byTransport[transport] = Int(count) }
        }
        return SiteSummary(name: name, socketsByTransport: byTransport, messagesEmitted: Int(emitted))
    }

    private static func encode(_ room: RoomSummary) -> JSONValue {
        ["n": .string(room.name), "m": .int(Int64(room.members))]
    }

    private static func room(from value: JSONValue) -> RoomSummary? {
        guard let name = value["n"]?.stringValue, case .int(let members)? = value["m"] else { return nil }
        return RoomSummary(name: name, members: Int(members))
    }

    private static func encode(_ socket: SocketSummary) -> JSONValue {
        [
            "in": .string(socket.instance),
            "id": .string(socket.id),
            "d": socket.deviceID.map(JSONValue.string) ?? .null,
            "tr": .string(socket.transport),
            "at": .int(socket.connectedSince),
        ]
    }

    private static func socket(from value: JSONValue) -> SocketSummary? {
        guard let instance = value["in"]?.stringValue, let id = value["id"]?.stringValue,
            let transport = value["tr"]?.stringValue, case .int(let since)? = value["at"]
        else { return nil }
        return SocketSummary(instance: instance, id: id, deviceID: value["d"]?.stringValue, transport: transport, connectedSince: since)
    }
}
