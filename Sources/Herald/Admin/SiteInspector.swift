import SocketIO

/// What the admin API and the metrics scrape read and do: this instance's sockets, rooms and counts per site,
/// and disconnecting sockets. It sees only the sockets connected to this process; with several instances each
/// answers for its own.
///
/// Reading a socket's rooms or transport happens on its event loop: one hop per loop, not per socket, and nothing
/// on the delivery path.
public struct SiteInspector: Sendable {
    private let service: HeraldService

    /// Creates the inspector of `service`.
    public init(service: HeraldService) {
        self.service = service
    }

    /// Every configured site with its sockets by transport and its messages emitted.
    public func sites() async -> [SiteSummary] {
        var summaries: [SiteSummary] = []
        for site in service.sites.all {
            let transports = await inspect(site) { socket in socket.transport }
            var byTransport = Dictionary(uniqueKeysWithValues: ClientTransport.allCases.map { ($0.rawValue, 0) })
            for transport in transports {
                byTransport[transport, default: 0] += 1
            }
            summaries.append(
                SiteSummary(
                    name: site.name,
                    socketsByTransport: byTransport,
                    messagesEmitted: service.metrics.site(site.name).messagesEmitted
                )
            )
        }
        return summaries
    }

    /// The rooms of `site` that have sockets here, with their member counts, by name; nil for an unknown site.
    public func rooms(site siteName: String) async -> [RoomSummary]? {
        guard let site = service.sites.site(named: siteName) else { return nil }
        let roomsPerSocket = await inspect(site) { socket in socket.rooms.subtracting([socket.id]) }
        var members: [String: Int] = [:]
        for rooms in roomsPerSocket {
            for room in rooms {
                members[room, default: 0] += 1
            }
        }
        return members.map { RoomSummary(name: $0.key, members: $0.value) }.sorted { $0.name < $1.name }
    }

    /// The sockets of `room` on `site`, oldest first; nil for an unknown site.
    public func sockets(site siteName: String, room: String) async -> [SocketSummary]? {
        guard let site = service.sites.site(named: siteName) else { return nil }
        let summaries = await inspect(site) { socket -> SocketSummary? in
            guard socket.rooms.contains(room) else { return nil }
            let client = socket.data as? SiteClient
            return SocketSummary(
                id: socket.id,
                deviceID: client?.credentials.deviceID,
                transport: socket.transport,
                connectedSince: client?.connectedSince ?? 0
            )
        }
        return summaries.compactMap { $0 }.sorted { ($0.connectedSince, $0.id) < ($1.connectedSince, $1.id) }
    }

    /// Disconnects the socket `id` of `site` (the client gets a server disconnect and does not reconnect by
    /// itself). Returns whether such a socket was connected here.
    public func disconnect(site siteName: String, socketID id: String) -> Bool {
        guard let site = service.sites.site(named: siteName),
            let socket = service.io.of(site.namespace).socket(id: id)
        else { return false }
        socket.disconnect()
        return true
    }

    /// Disconnects every socket of user `userID` on `site` here (the sockets in its user room, named as the gateway
    /// reads user rooms) and returns how many there were; nil when the site is unknown or has no `userRoomPrefix`.
    public func disconnect(site siteName: String, userID: String) async -> Int? {
        guard let site = service.sites.site(named: siteName), site.userRoomPrefix != nil else { return nil }
        return await service.control.local.disconnect(site: site.name, target: .user(userID))
    }

    /// Runs `read` for each socket of `site` here, on the socket's event loop, hopping once per loop.
    private func inspect<Value: Sendable>(
        _ site: Site,
        _ read: @escaping @Sendable (Socket) -> Value
    ) async -> [Value] {
        await SocketReads.read(service.io.of(site.namespace).localSockets, read)
    }
}
