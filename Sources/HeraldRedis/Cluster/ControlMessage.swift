import Herald
import SocketIO

/// What instances send each other on the control channels, as JSON text: a request (`herald:ctl`, for every
/// instance) carries its origin, an ID and the command; a reply (`herald:ctl:<origin>`) carries the request's ID.
enum ControlMessage: Sendable, Hashable {
    case request(origin: String, id: String, ControlCommand)
    case reply(id: String, ControlReply)

    func encoded() -> String {
        switch self {
        case .request(let origin, let id, let command):
            return JSONValue.object(["o": .string(origin), "i": .string(id), "c": Self.encode(command)]).jsonString
        case .reply(let id, let reply):
            return JSONValue.object(["i": .string(id), "r": Self.encode(reply)]).jsonString
        }
    }

    static func decode(_ text: String) -> ControlMessage? {
        guard let value = try? JSONValue(parsing: text), let id = value["i"]?.stringValue else { return nil }
        if let origin = value["o"]?.stringValue, let command = value["c"].flatMap(command(from:)) {
            return .request(origin: origin, id: id, command)
        }
        if let reply = value["r"].flatMap(reply(from:)) {
            return .reply(id: id, reply)
        }
        return nil
    }

    private static func encode(_ command: ControlCommand) -> JSONValue {
        switch command {
        case .rpc(let rpc):
            return [
                "k": "rpc",
                "s": .string(rpc.site),
                "tg": encode(rpc.target),
                "e": .string(rpc.event),
                "a": .array(rpc.arguments),
                "ms": .int(Int64(rpc.timeout.redisMilliseconds)),
            ]
        case .disconnect(let site, let target):
            return ["k": "disconnect", "s": .string(site), "tg": encode(target)]
        case .inspect(let query):
            return ["k": "inspect", "q": AdminMessage.encode(query)]
        }
    }

    private static func command(from value: JSONValue) -> ControlCommand? {
        if value["k"]?.stringValue == "inspect" {
            return value["q"].flatMap(AdminMessage.query(from:)).map(ControlCommand.inspect)
        }
        guard let site = value["s"]?.stringValue, let target = value["tg"].flatMap(target(from:)) else { return nil }
        switch value["k"]?.stringValue {
        case "rpc":
            guard let event = value["e"]?.stringValue, let arguments = value["a"]?.arrayValue,
                case .int(let milliseconds)? = value["ms"], milliseconds > 0
            else { return nil }
            return .rpc(
                BackendRPC(site: site, target: target, event: event, arguments: arguments, timeout: .milliseconds(milliseconds))
            )
        case "disconnect":
            return .disconnect(site: site, target: target)
        default:
            return nil
        }
    }

    private static func encode(_ target: SocketTarget) -> JSONValue {
        switch target {
        case .user(let id): ["user": .string(id)]
        case .socket(let id): ["socket": .string(id)]
        case .room(let room): ["room": .string(room)]
        }
    }

    private static func target(from value: JSONValue) -> SocketTarget? {
        if let id = value["user"]?.stringValue { return .user(id) }
        if let id = value["socket"]?.stringValue { return .socket(id) }
        if let room = value["room"]?.stringValue { return .room(room) }
        return nil
    }

    private static func encode(_ reply: ControlReply) -> JSONValue {
        switch reply {
        case .rpc(let collection):
            return ["k": "rpc", "m": .int(Int64(collection.matched)), "ans": .array(collection.answers.map(\.json))]
        case .disconnected(let count):
            return ["k": "disconnected", "n": .int(Int64(count))]
        case .inspected(let instance, let answer):
            return ["k": "inspected", "in": .string(instance), "a": AdminMessage.encode(answer)]
        }
    }

    private static func reply(from value: JSONValue) -> ControlReply? {
        switch value["k"]?.stringValue {
        case "rpc":
            guard case .int(let matched)? = value["m"], let answers = value["ans"]?.arrayValue else { return nil }
            return .rpc(RPCCollection(matched: Int(matched), answers: answers.compactMap(RPCAnswer.init(json:))))
        case "disconnected":
            guard case .int(let count)? = value["n"] else { return nil }
            return .disconnected(Int(count))
        case "inspected":
            guard let instance = value["in"]?.stringValue, let answer = value["a"].flatMap(AdminMessage.answer(from:)) else {
                return nil
            }
            return .inspected(instance: instance, answer)
        default:
            return nil
        }
    }
}
