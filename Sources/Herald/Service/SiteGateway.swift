import Logging
import SocketIO

/// Admits clients to site namespaces: authenticates them, joins their rooms, sends `_settings`, opens a device
/// session (queue replay and acks) on sites with user rooms, and reports presence to the site. Enforces the site's
/// `maxConnections`, `maxRoomsPerClient`, `maxDevicesPerUser` and `maxPendingAcksPerSocket`.
///
/// A class: every connected socket's disconnect handlers capture the gateway, and a reference costs each socket 8
/// bytes where a copy of this value (its dependencies, several of them values too) cost it over a kilobyte.
final class SiteGateway: Sendable {
    /// The refusal a client over its site's `maxConnections` gets.
    static let connectionLimitReached = "Site connection limit reached"
    /// The refusal a new device of a user at `maxDevicesPerUser`, with every device connected, gets.
    static let tooManyDevices = "Too many devices"
    /// How long a reconnecting device waits for its last socket on this instance to record its acks and
    /// disconnect: far longer than a store round trip, short enough that a store in trouble does not hold a connect.
    static let departureWait: Duration = .seconds(2)

    private let io: SocketIOServer
    private let sites: SiteRegistry
    private let authenticator: Authenticator
    private let sessions: DeviceSessions
    private let makeSession: ReliableSessionFactory
    private let bus: any ClusterBus
    private let connections: SiteConnectionCounter
    private let clusterConnections: any ClusterConnectionLimit
    private let addressCheck: SiteAddressCheck
    private let presence: UserPresenceReporter
    private let commands: ClientCommands
    private let roomPresence: SocketPresence
    private let deviceTTL: Int
    private let logger: Logger
    private let metrics: HeraldMetrics

    /// Creates the gateway.
    init(
        io: SocketIOServer,
        sites: SiteRegistry,
        authenticator: Authenticator,
        sessions: DeviceSessions,
        makeSession: ReliableSessionFactory,
        bus: any ClusterBus,
        connections: SiteConnectionCounter,
        clusterConnections: any ClusterConnectionLimit,
        addressCheck: SiteAddressCheck,
        presence: UserPresenceReporter,
        commands: ClientCommands,
        roomPresence: SocketPresence,
        deviceTTL: Int,
        logger: Logger,
        metrics: HeraldMetrics
    ) {
        self.io = io
        self.sites = sites
        self.authenticator = authenticator
        self.sessions = sessions
        self.makeSession = makeSession
        self.bus = bus
        self.connections = connections
        self.clusterConnections = clusterConnections
        self.addressCheck = addressCheck
        self.presence = presence
        self.commands = commands
        self.roomPresence = roomPresence
        self.deviceTTL = deviceTTL
        self.logger = logger
        self.metrics = metrics
    }

    /// Opens the namespace `/<site>` for clients.
    func open(_ site: Site) {
        let namespace = io.of(site.namespace)
        namespace.setRecovery(site.recovery?.connectionStateRecovery)
        namespace.messageCompression = site.permessageDeflate
        let gateway = self
        namespace.use { socket in try await gateway.admit(socket, siteName: site.name) }
        namespace.onConnection { socket in gateway.connected(socket) }
    }

    private func admit(_ socket: Socket, siteName: String) async throws(ConnectError) {
        guard let site = sites.site(named: siteName) else { throw ConnectError("Invalid namespace", code: .unknownSite) }
        var credentials = ClientCredentials(query: socket.handshake.query)
        if credentials.token.isEmpty, let token = socket.handshake.auth["token"]?.stringValue {
            credentials.token = token
        }
        var metadata: Logger.Metadata = ["site": "\(site.name)", "socketId": "\(socket.id)"]
        metadata["deviceId"] = credentials.deviceID.map { "\($0)" }
        let siteMetrics = metrics.site(site.name)
        let keptByRecovery = Self.roomsKeptByRecovery(of: socket, site: site)
        try addressCheck.check(socket, site: site, authenticates: keptByRecovery == nil, metadata: metadata)
        let slot = try await reserveConnection(of: site, metadata: metadata)
        var client: SiteClient
        do {
            if socket.recoveredSession != nil {
                socket.leave(ReliableRoom.name)
            }
            let rooms: [String]
            var jwt: JWTClaims?
            if let kept = keptByRecovery {
                rooms = kept
            } else {
                let granted = try await siteMetrics.timingAuthentication(of: site) { () async throws(AuthenticationError) in
                    try await authenticator.grant(for: credentials, at: site)
                }
                rooms = limitRooms(granted.rooms, of: site, metadata: metadata)
                jwt = granted.jwt
                await leaveRecoveredRooms(of: socket, notIn: rooms, credentials: credentials, site: site)
            }
            await bus.attach(site: site.name)
            socket.join(rooms)
            client = SiteClient(site: site, credentials: credentials, rooms: rooms, jwt: jwt)
        } catch {
            slot.release()
            siteMetrics.handshake(HandshakeOutcome(error))
            logger.info("client refused: \(error)", metadata: metadata)
            throw ConnectError(error.message, code: RefusalCode(error))
        }
        guard let deviceSessions = await registerDevices(of: socket, client: client, site: site) else {
            bus.detach(site: site.name)
            slot.release()
            siteMetrics.handshake(.limited)
            siteMetrics.refusedDevice()
            logger.notice("client refused: \(Self.tooManyDevices)", metadata: metadata)
            throw ConnectError(Self.tooManyDevices, code: .tooManyDevices)
        }
        client.deviceSessions = deviceSessions
        socket.data = client
        siteMetrics.handshake(.accepted)
        let gateway = self
        socket.onDisconnect { _, _ in
            for session in deviceSessions {
                gateway.sessions.stop(session)
            }
            gateway.bus.detach(site: site.name)
            slot.release()
        }
    }

    /// Counts the socket against `site`'s `maxConnections`, on this instance and then across the cluster; throws the
    /// refusal a client over it gets.
    private func reserveConnection(of site: Site, metadata: Logger.Metadata) async throws(ConnectError) -> ConnectionSlot {
        let admission: ClusterAdmission
        if connections.reserve(for: site) {
            admission = await clusterConnections.reserve(for: site)
            if admission == .refused {
                connections.release(siteName: site.name)
            }
        } else {
            admission = .refused
        }
        guard admission != .refused else {
            metrics.site(site.name).handshake(.limited)
            logger.notice("client refused: \(Self.connectionLimitReached)", metadata: metadata)
            throw ConnectError(Self.connectionLimitReached, code: .connectionLimit)
        }
        return ConnectionSlot(
            siteName: site.name,
            counter: connections,
            cluster: admission == .admitted ? clusterConnections : nil
        )
    }

    /// The rooms a recovering socket keeps as granted without asking `authUrl`, when its site's recovery has
    /// `skipAuth`: those of its session, less its own room, the reserved reliable room (which the device sessions join
    /// again) and its subscriptions (which it keeps too, but which were never granted).
    private static func roomsKeptByRecovery(of socket: Socket, site: Site) -> [String]? {
        guard site.recovery?.skipAuth == true, site.authentication.isSkippableOnRecovery else { return nil }
        return socket.recoveredSession.map { session in
            session.rooms.filter { room in
                room != session.sid && room != ReliableRoom.name && SubscriptionRoom.room(of: room) == nil
            }.sorted()
        }
    }

    /// After `authUrl` answered for a recovering socket, it keeps only the rooms granted now and the subscriptions the
    /// site's `subscribeUrl` still allows: a room the user lost while away is left, and its missed events are not
    /// replayed.
    private func leaveRecoveredRooms(of socket: Socket, notIn granted: [String], credentials: ClientCredentials, site: Site) async {
        guard let session = socket.recoveredSession else { return }
        let keep = Set(granted)
        let lost = session.rooms.filter { $0 != session.sid && $0 != ReliableRoom.name && !keep.contains($0) }
        let resubscribed = await SubscriptionRecovery(hook: commands.hook, slots: commands.siteSlots).stillAllowed(
            lost,
            socketID: socket.id,
            credentials: credentials,
            granted: granted,
            site: site
        )
        for room in lost where !resubscribed.contains(room) {
            socket.leave(room)
        }
    }

    /// Registers the client's device once per user room, under the site's `maxDevicesPerUser`; the sessions are
    /// listed before the store reads their backlogs, so they catch every message stored after that. Returns nil
    /// when a device is refused (every device registered so far is disconnected again); a client that names no
    /// device gets plain broadcasts only and no sessions.
    private func registerDevices(of socket: Socket, client: SiteClient, site: Site) async -> [any ReliableSession]? {
        guard let deviceID = client.credentials.deviceID, !client.userRooms.isEmpty else { return [] }
        socket.join(ReliableRoom.name)
        let acks = PendingAckBudget(limit: site.limits.pendingAcksPerSocket)
        let siteMetrics = metrics.site(client.site)
        var registered: [any ReliableSession] = []
        for userRoom in client.userRooms {
            let session = makeSession.session(
                for: DeviceKey(site: client.site, userRoom: userRoom, deviceID: deviceID),
                on: socket,
                acks: acks,
                metrics: siteMetrics
            )
            sessions.add(session)
            if await !sessions.departure(of: session.device, timeout: Self.departureWait) {
                logger.info("registering the device before its last socket's acks were recorded", metadata: ["device": "\(session.device)"])
            }
            switch await session.register(sharedRooms: client.sharedRooms, maxDevices: site.limits.devicesPerUser) {
            case .registered(let evicted):
                siteMetrics.evictedDevices(evicted)
                registered.append(session)
            case .unavailable:
                registered.append(session)
            case .refused:
                sessions.remove(session)
                let (sessions, earlier) = (self.sessions, registered)
                socket.eventLoop.execute {
                    for session in earlier {
                        sessions.stop(session)
                    }
                }
                return nil
            }
        }
        return registered
    }

    /// The granted rooms cut to the site's `maxRoomsPerClient`; dropped rooms are logged.
    private func limitRooms(_ rooms: [String], of site: Site, metadata: Logger.Metadata) -> [String] {
        let (kept, dropped) = site.limits.splitRooms(rooms)
        if !dropped.isEmpty {
            var metadata = metadata
            metadata["dropped"] = .array(dropped.map { "\($0)" })
            logger.warning("rooms dropped: authUrl granted \(rooms.count), maxRoomsPerClient is \(kept.count)", metadata: metadata)
        }
        return kept
    }

    private func connected(_ socket: Socket) {
        guard let client = socket.data as? SiteClient, let site = sites.site(named: client.site) else {
            socket.disconnect()
            return
        }
        // Devices are registered before the CONNECT answer, so a client holding `_settings` knows its messages are
        // kept; its `_batch` follows.
        socket.emit(HeraldEvent.settings.rawValue, [["device_ttl": .int(Int64(deviceTTL))]])
        for session in client.deviceSessions {
            session.activate()
        }
        commands.install(on: socket, client: client, site: site)
        roomPresence.connected(socket, client: client, site: site)
        let metadata = Self.metadata(of: socket, client: client)
        logger.info("client connected", metadata: metadata)
        report(.connected, client: client, site: site, metadata: metadata)
        TokenExpiry(sites: sites, authenticator: authenticator, logger: logger).watch(socket, client: client)
        let gateway = self
        socket.onDisconnect { socket, reason in
            // Rebuilt rather than kept from the connect: a connected client then holds no metadata dictionary.
            let metadata = Self.metadata(of: socket, client: client)
            gateway.logger.info("client disconnected: \(reason)", metadata: metadata)
            if let site = gateway.sites.site(named: client.site) {
                gateway.report(.disconnected, client: client, site: site, metadata: metadata)
            }
        }
    }

    private func report(_ change: PresenceChange, client: SiteClient, site: Site, metadata: Logger.Metadata) {
        guard let prefix = site.userRoomPrefix, site.updateUserURL != nil else { return }
        let naming = UserRoomNaming(prefix: prefix)
        for userID in Set(client.userRooms.compactMap(naming.userID(of:))) {
            presence.report(change, userID: userID, token: client.credentials.token, site: site, metadata: metadata)
        }
    }

    private static func metadata(of socket: Socket, client: SiteClient) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "site": "\(client.site)",
            "socketId": "\(socket.id)",
            "rooms": .array(client.rooms.map { "\($0)" }),
        ]
        metadata["deviceId"] = client.credentials.deviceID.map { "\($0)" }
        return metadata
    }
}
