import NIOCore
import SocketIO

/// Runs a backend's ``ControlCommand`` on this instance's sockets: finds the target's sockets, then emits with an
/// ack and collects the answers, or disconnects them.
///
/// An RPC goes to Socket.IO and plain WebSocket sockets (a plain client answers a `call` with a `reply`); a
/// Server-Sent Events client has no way to answer, so it is neither emitted to nor counted.
struct LocalSocketControl: Sendable {
    let io: SocketIOServer
    let sites: SiteRegistry

    /// Runs `command` here.
    func run(_ command: ControlCommand) async -> ControlReply {
        switch command {
        case .rpc(let rpc): .rpc(await call(rpc))
        case .disconnect(let site, let target): .disconnected(await disconnect(site: site, target: target))
        }
    }

    /// Emits the RPC's event to its sockets here and collects what each answers within the timeout.
    func call(_ rpc: BackendRPC) async -> RPCCollection {
        guard let site = sites.site(named: rpc.site) else { return RPCCollection() }
        let sockets = await self.sockets(of: rpc.target, on: site)
        let timeout = TimeAmount(rpc.timeout)
        let naming = site.userRoomPrefix.map(UserRoomNaming.init(prefix:))
        return await withTaskGroup(of: Outcome.self) { group in
            for socket in sockets {
                group.addTask {
                    guard await Self.answersAcks(socket) else { return .skipped }
                    guard let arguments = try? await socket.emitWithAck(rpc.event, rpc.arguments, timeout: timeout) else {
                        return .unanswered
                    }
                    let client = socket.data as? SiteClient
                    return .answered(
                        RPCAnswer(
                            socket: socket.id,
                            deviceID: client?.credentials.deviceID,
                            user: Self.user(of: client, target: rpc.target, naming: naming),
                            answer: Self.answer(arguments)
                        )
                    )
                }
            }
            var collection = RPCCollection()
            for await outcome in group {
                switch outcome {
                case .skipped: continue
                case .unanswered: collection.matched += 1
                case .answered(let answer):
                    collection.matched += 1
                    collection.answers.append(answer)
                }
            }
            collection.answers.sort { $0.socket < $1.socket }
            return collection
        }
    }

    /// What became of the RPC at one socket.
    private enum Outcome: Sendable {
        case skipped
        case unanswered
        case answered(RPCAnswer)
    }

    /// Disconnects the target's sockets here; returns how many there were.
    func disconnect(site siteName: String, target: SocketTarget) async -> Int {
        guard let site = sites.site(named: siteName) else { return 0 }
        let sockets = await self.sockets(of: target, on: site)
        for socket in sockets {
            socket.disconnect()
        }
        return sockets.count
    }

    /// The target's sockets connected here.
    func sockets(of target: SocketTarget, on site: Site) async -> [Socket] {
        guard let namespace = io.namespace(named: site.namespace) else { return [] }
        switch target {
        case .socket(let id):
            return namespace.socket(id: id).map { [$0] } ?? []
        case .room(let room):
            return await namespace.adapter.localSockets(in: [room, SubscriptionRoom.name(for: room)])
        case .user(let userID):
            guard let prefix = site.userRoomPrefix else { return [] }
            return await namespace.adapter.localSockets(in: UserRoomNaming(prefix: prefix).rooms(of: userID))
        }
    }

    /// Whether the socket's client can answer an event with an ack (read on the socket's loop).
    private static func answersAcks(_ socket: Socket) async -> Bool {
        let transport = try? await socket.eventLoop.submit { socket.transport }.get()
        return switch transport.flatMap(ClientTransport.init(rawValue:)) {
        case .polling?, .websocket?, .websocketJSON?: true
        case .sse?, nil: false
        }
    }

    private static func user(of client: SiteClient?, target: SocketTarget, naming: UserRoomNaming?) -> String? {
        if case .user(let id) = target { return id }
        guard let naming, let client else { return nil }
        return client.userRooms.lazy.compactMap(naming.userID(of:)).first
    }

    /// An ack's arguments as one value: the only one, an array of several, or null for none.
    private static func answer(_ arguments: [JSONValue]) -> JSONValue {
        switch arguments.count {
        case 0: .null
        case 1: arguments[0]
        default: .array(arguments)
        }
    }
}
