import Logging
import SocketIO

/// Admits clients to site namespaces: authenticates them, joins their rooms, sends `_settings`, opens a device
/// session (queue replay and acks) on sites with user rooms, and reports presence to the site. Enforces the site's
/// `maxConnections` and `maxRoomsPerClient`.
struct SiteGateway: Sendable {
    /// The refusal a client over its site's `maxConnections` gets.
    static let connectionLimitReached = "Site connection limit reached"

    private let io: SocketIOServer
    private let sites: SiteRegistry
    private let authenticator: Authenticator
    private let store: any MessageStore
    private let sessions: DeviceSessions
    private let bus: any ClusterBus
    private let connections: SiteConnectionCounter
    private let presence: UserPresenceReporter
    private let deviceTTL: Int
    private let logger: Logger
    private let metrics: HeraldMetrics

    /// Creates the gateway.
    init(
        io: SocketIOServer,
        sites: SiteRegistry,
        authenticator: Authenticator,
        store: any MessageStore,
        sessions: DeviceSessions,
        bus: any ClusterBus,
        connections: SiteConnectionCounter,
        presence: UserPresenceReporter,
        deviceTTL: Int,
        logger: Logger,
        metrics: HeraldMetrics
    ) {
        self.io = io
        self.sites = sites
        self.authenticator = authenticator
        self.store = store
        self.sessions = sessions
        self.bus = bus
        self.connections = connections
        self.presence = presence
        self.deviceTTL = deviceTTL
        self.logger = logger
        self.metrics = metrics
    }

    /// Opens the namespace `/<site>` for clients.
    func open(_ site: Site) {
        let namespace = io.of(site.namespace)
        let gateway = self
        namespace.use { socket in try await gateway.admit(socket, siteName: site.name) }
        namespace.onConnection { socket in gateway.connected(socket) }
    }

    private func admit(_ socket: Socket, siteName: String) async throws(ConnectError) {
        guard let site = sites.site(named: siteName) else { throw ConnectError("Invalid namespace") }
        var credentials = ClientCredentials(query: socket.handshake.query)
        if credentials.token.isEmpty, let token = socket.handshake.auth["token"]?.stringValue {
            credentials.token = token
        }
        var metadata: Logger.Metadata = ["site": "\(site.name)", "socketId": "\(socket.id)"]
        metadata["deviceId"] = credentials.deviceID.map { "\($0)" }
        let siteMetrics = metrics.site(site.name)
        guard connections.reserve(for: site) else {
            siteMetrics.handshake(.limited)
            logger.notice("client refused: \(Self.connectionLimitReached)", metadata: metadata)
            throw ConnectError(Self.connectionLimitReached)
        }
        do {
            let granted = try await siteMetrics.timingAuthentication(of: site) { () async throws(AuthenticationError) in
                try await authenticator.rooms(for: credentials, at: site)
            }
            let rooms = limitRooms(granted, of: site, metadata: metadata)
            await bus.attach(site: site.name)
            socket.join(rooms)
            socket.data = SiteClient(site: site, credentials: credentials, rooms: rooms)
            siteMetrics.handshake(.accepted)
        } catch {
            connections.release(siteName: site.name)
            siteMetrics.handshake(HandshakeOutcome(error))
            logger.info("client refused: \(error.message)", metadata: metadata)
            throw ConnectError(error.message)
        }
        let gateway = self
        socket.onDisconnect { _, _ in
            gateway.bus.detach(site: site.name)
            gateway.connections.release(siteName: site.name)
        }
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
        let deviceTTL = self.deviceTTL
        let sendSettings: @Sendable () -> Void = { socket.emit("_settings", [["device_ttl": .int(Int64(deviceTTL))]]) }
        let deviceSessions = openDeviceSessions(for: socket, client: client, registered: sendSettings)
        if deviceSessions.isEmpty { sendSettings() }
        let metadata = Self.metadata(of: socket, client: client)
        logger.info("client connected", metadata: metadata)
        report(.connected, client: client, site: site, metadata: metadata)
        let gateway = self
        socket.onDisconnect { socket, reason in
            for session in deviceSessions {
                gateway.sessions.stop(session)
            }
            // Rebuilt rather than kept from the connect: a connected client then holds no metadata dictionary.
            let metadata = Self.metadata(of: socket, client: client)
            gateway.logger.info("client disconnected: \(reason)", metadata: metadata)
            if let site = gateway.sites.site(named: client.site) {
                gateway.report(.disconnected, client: client, site: site, metadata: metadata)
            }
        }
    }

    /// One session per user room of a client that names its device; other clients get plain broadcasts only.
    /// `registered` runs once, when the first session's device is registered in the store (or registration failed).
    private func openDeviceSessions(
        for socket: Socket,
        client: SiteClient,
        registered: @escaping @Sendable () -> Void
    ) -> [DeviceSession] {
        guard let deviceID = client.credentials.deviceID, !client.userRooms.isEmpty else { return [] }
        socket.join(ReliableRoom.name)
        var opened: [DeviceSession] = []
        for userRoom in client.userRooms {
            let device = DeviceKey(site: client.site, userRoom: userRoom, deviceID: deviceID)
            let session = DeviceSession(
                device: device,
                socket: socket,
                store: store,
                logger: logger,
                metrics: metrics.site(client.site)
            )
            sessions.add(session)
            if opened.isEmpty {
                session.start(sharedRooms: client.sharedRooms, registered: registered)
            } else {
                session.start(sharedRooms: client.sharedRooms) {}
            }
            opened.append(session)
        }
        return opened
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
