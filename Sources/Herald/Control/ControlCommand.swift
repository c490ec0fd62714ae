public import SocketIO

/// What a backend asks of every instance's sockets (`POST /rpc`, `POST /disconnect`); each instance runs it on its
/// own sockets and answers with a ``ControlReply``.
public enum ControlCommand: Sendable, Hashable {
    /// Emit an event with an ack to the target's sockets and collect their answers.
    case rpc(BackendRPC)
    /// Disconnect the target's sockets (the clients do not reconnect by themselves).
    case disconnect(site: String, target: SocketTarget)
    /// Answer an admin API question about this instance's sockets.
    case inspect(AdminQuery)
}

/// `POST /rpc`: emit `event` with `arguments` and an ack request to the target's sockets, waiting up to `timeout`.
public struct BackendRPC: Sendable, Hashable {
    /// The site.
    public var site: String
    /// Which sockets.
    public var target: SocketTarget
    /// The event the clients get.
    public var event: String
    /// Its arguments.
    public var arguments: [JSONValue]
    /// How long the sockets have to answer.
    public var timeout: Duration

    /// Creates the call.
    public init(site: String, target: SocketTarget, event: String, arguments: [JSONValue], timeout: Duration) {
        self.site = site
        self.target = target
        self.event = event
        self.arguments = arguments
        self.timeout = timeout
    }
}

/// One instance's answer to a ``ControlCommand``.
public enum ControlReply: Sendable, Hashable {
    /// The RPC's sockets there and what they answered.
    case rpc(RPCCollection)
    /// How many sockets were disconnected there.
    case disconnected(Int)
    /// The answer to an admin API question, from the instance named.
    case inspected(instance: String, AdminAnswer)
}

/// The answers to a ``BackendRPC``: how many sockets it was emitted to, and the answers that came in time.
public struct RPCCollection: Sendable, Hashable {
    /// Sockets the event was emitted to.
    public var matched: Int
    /// The answers, one per socket that answered.
    public var answers: [RPCAnswer]

    /// Creates a collection.
    public init(matched: Int = 0, answers: [RPCAnswer] = []) {
        self.matched = matched
        self.answers = answers
    }

    /// This collection and `other` together.
    public func merging(_ other: RPCCollection) -> RPCCollection {
        RPCCollection(matched: matched + other.matched, answers: answers + other.answers)
    }
}

/// What one socket answered to a ``BackendRPC``.
public struct RPCAnswer: Sendable, Hashable {
    /// The socket's ID.
    public var socket: String
    /// Its device, when the client named one.
    public var deviceID: String?
    /// Its user, on sites with user rooms.
    public var user: String?
    /// The ack's argument (an array when the client acked with several, null with none).
    public var answer: JSONValue

    /// Creates an answer.
    public init(socket: String, deviceID: String?, user: String?, answer: JSONValue) {
        self.socket = socket
        self.deviceID = deviceID
        self.user = user
        self.answer = answer
    }

    /// The answer as `POST /rpc` lists it: `{"socket", "deviceId", "user", "answer"}`.
    public var json: JSONValue {
        [
            "socket": .string(socket),
            "deviceId": deviceID.map(JSONValue.string) ?? .null,
            "user": user.map(JSONValue.string) ?? .null,
            "answer": answer,
        ]
    }

    /// Reads ``json``'s form; nil when a field is missing or of the wrong kind.
    public init?(json: JSONValue) {
        guard let socket = json["socket"]?.stringValue else { return nil }
        self.init(
            socket: socket,
            deviceID: json["deviceId"]?.stringValue,
            user: json["user"]?.stringValue,
            answer: json["answer"] ?? .null
        )
    }
}
