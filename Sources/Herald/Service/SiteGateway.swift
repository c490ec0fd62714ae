public import Logging
public import SocketIO

/// Admits clients to site namespaces: authenticates them, joins their rooms, sends `_settings`, keeps the room
/// directory current and reports presence to the site.
public struct SiteGateway: Sendable {
    private let io: SocketIOServer
    private let sites: SiteRegistry
    private let authenticator: Authenticator
    private let directory: RoomDirectory
    private let presence: UserPresenceReporter
    private let deviceTTL: Int
    private let logger: Logger

    /// Creates the gateway.
    public init(
        io: SocketIOServer,
        sites: SiteRegistry,
        authenticator: Authenticator,
        directory: RoomDirectory,
        presence: UserPresenceReporter,
        deviceTTL: Int,
        logger: Logger
    ) {
        self.io = io
        self.sites = sites
        self.authenticator = authenticator
        self.directory = directory
        self.presence = presence
        self.deviceTTL = deviceTTL
        self.logger = logger
    }

    /// Opens the namespace `/<site>` for clients.
    public func open(_ site: Site) {
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
        do {
            let rooms = try await authenticator.rooms(for: credentials, at: site)
            socket.join(rooms)
            socket.data = SiteClient(site: site, credentials: credentials, rooms: rooms)
        } catch {
            logger.info("client refused: \(error.message)", metadata: metadata)
            throw ConnectError(error.message)
        }
    }

    private func connected(_ socket: Socket) {
        guard let client = socket.data as? SiteClient, let site = sites.site(named: client.site) else {
            socket.disconnect()
            return
        }
        socket.emit("_settings", [["device_ttl": .int(Int64(deviceTTL))]])
        directory.register(site: site.name, userRooms: client.userRooms, sharedRooms: client.sharedRooms)
        let metadata = Self.metadata(of: socket, client: client)
        logger.info("client connected", metadata: metadata)
        report(.connected, client: client, site: site, metadata: metadata)
        let gateway = self
        socket.onDisconnect { socket, reason in
            gateway.directory.unregister(site: client.site, userRooms: client.userRooms, sharedRooms: client.sharedRooms)
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
