import EngineIO
import Herald
import NIOCore
import SocketIO

/// What instances tell each other on a site's channels, as JSON text; `origin` lets an instance skip its own.
enum ClusterMessage: Sendable {
    /// A namespace broadcast: the packet as Socket.IO encodes it, and who it is for; a recorded event also has its
    /// offset (`"q"`, added by the script that recorded it), and reaches the instance that sent it too.
    case broadcast(
        origin: String,
        namespace: String,
        packetText: String,
        attachments: [ByteBuffer],
        options: BroadcastOptions,
        offset: RecoveryOffset? = nil
    )
    /// A reliable message for device sessions.
    case delivery(origin: String, DeviceDelivery)
    /// An event-server event for listeners (`"ev"`, with `"d"` when it has data).
    case event(origin: String, FiredEvent)

    var origin: String {
        switch self {
        case .broadcast(let origin, _, _, _, _, _), .delivery(let origin, _), .event(let origin, _): origin
        }
    }

    func encoded() -> String {
        switch self {
        case .broadcast(let origin, let namespace, let text, let attachments, let options, let offset):
            var fields: [String: JSONValue] = [
                "o": .string(origin),
                "n": .string(namespace),
                "t": .string(text),
                "b": .array(attachments.map { .binary($0) }),
                "r": .array(options.rooms.sorted().map(JSONValue.string)),
                "x": .array(options.except.sorted().map(JSONValue.string)),
            ]
            if let offset { fields["q"] = .string(offset.description) }
            return JSONValue.object(fields).jsonString
        case .delivery(let origin, let delivery):
            let value: JSONValue = [
                "o": .string(origin),
                "s": .string(delivery.site),
                "id": .string(delivery.message.id.description),
                "e": .string(delivery.message.event),
                "a": .array(delivery.message.arguments),
                "u": .array(delivery.userRooms.map(JSONValue.string)),
                "h": .array(delivery.holders.map { [.string($0.userRoom), .string($0.deviceID)] }),
                "rs": .bool(delivery.resync),
            ]
            return value.jsonString
        case .event(let origin, let event):
            var fields: [String: JSONValue] = ["o": .string(origin), "ev": .string(event.event)]
            if let data = event.data { fields["d"] = data }
            return JSONValue.object(fields).jsonString
        }
    }

    static func decode(_ text: String) -> ClusterMessage? {
        // Read one level deep: a delivery's arguments stay raw, the bytes the backend sent.
        guard let value = try? RawJSON(validating: ByteBuffer(string: text)).shallow, let origin = value["o"]?.stringValue
        else { return nil }
        if let event = value["ev"]?.stringValue {
            return .event(origin: origin, FiredEvent(event: event, data: value["d"]?.parsed))
        }
        if let namespace = value["n"]?.stringValue, let packetText = value["t"]?.stringValue {
            let attachments = (value["b"]?.arrayValue ?? []).compactMap { element -> ByteBuffer? in
                guard let encoded = element.stringValue, let bytes = Base64.decode(encoded.utf8) else { return nil }
                return ByteBuffer(bytes: bytes)
            }
            let options = BroadcastOptions(
                rooms: Set((value["r"]?.arrayValue ?? []).compactMap(\.stringValue)),
                except: Set((value["x"]?.arrayValue ?? []).compactMap(\.stringValue))
            )
            let offset = value["q"]?.stringValue.flatMap(RecoveryOffset.init)
            return .broadcast(
                origin: origin,
                namespace: namespace,
                packetText: packetText,
                attachments: attachments,
                options: options,
                offset: offset
            )
        }
        guard let site = value["s"]?.stringValue, let id = value["id"]?.stringValue.flatMap(FlakeID.init),
            let event = value["e"]?.stringValue, let arguments = value["a"]?.arrayValue
        else { return nil }
        let holders = (value["h"]?.arrayValue ?? []).compactMap { pair -> DeviceKey? in
            guard let parts = pair.arrayValue, parts.count == 2, let user = parts[0].stringValue, let device = parts[1].stringValue
            else { return nil }
            return DeviceKey(site: site, userRoom: user, deviceID: device)
        }
        let delivery = DeviceDelivery(
            site: site,
            message: StoredMessage(id: id, event: event, arguments: arguments),
            userRooms: (value["u"]?.arrayValue ?? []).compactMap(\.stringValue),
            holders: holders,
            resync: value["rs"] == .bool(true)
        )
        return .delivery(origin: origin, delivery)
    }
}
