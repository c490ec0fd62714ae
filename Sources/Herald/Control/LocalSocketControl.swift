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
    let inspector: LocalSiteInspector

    /// Runs `command` here.
    func run(_ command: ControlCommand) async -> ControlReply {
        switch command {
        case .rpc(let rpc): .rpc(await call(rpc))
        case .disconnect(let site, let target): .disconnected(await disconnect(site: site, target: target))
        case .inspect(let query): .inspected(instance: inspector.instanceID, await inspector.answer(query))
        }
    }

    /// Emits the RPC's event to its sockets here and collects what each answers within the timeout.
    func call(_ rpc: BackendRPC) async -> RPCCollection {
        guard let site = sites.site(named: rpc.site) else { return RPCCollection() }
        let sockets = await SocketReads.read(self.sockets(of: rpc.target, on: site)) { socket in
            (socket: socket, answersAcks: Self.answersAcks(socket.transport))
        }.filter(\.answersAcks).map(\.socket)
        let timeout = TimeAmount(rpc.timeout)
        let naming = site.userRoomPrefix.map(UserRoomNaming.init(prefix:))
        let answers = await withTaskGroup(of: RPCAnswer?.self) { group in
            for socket in sockets {
                group.addTask {
                    guard let arguments = try? await socket.emitWithAck(rpc.event, rpc.arguments, timeout: timeout) else {
                        return nil
                    }
                    let client = socket.data as? SiteClient
                    return RPCAnswer(
                        socket: socket.id,
                        deviceID: client?.credentials.deviceID,
                        user: Self.user(of: client, target: rpc.target, naming: naming),
                        answer: Self.answer(arguments)
                    )
                }
            }
            var answers: [RPCAnswer] = []
            for await case let answer? in group {
                answers.append(answer)
            }
            return answers
        }
        return RPCCollection(matched: sockets.count, answers: answers.sorted { $0.socket < $1.socket })
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

    /// Whether a client on `transport` can answer an event with an ack.
    private static func answersAcks(_ transport: String) -> Bool {
        switch ClientTransport(rawValue: transport) {
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
