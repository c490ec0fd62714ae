import SocketIO

/// Reads this instance's sockets, rooms and counts per site for the admin API (as this instance's part of the
/// cluster's answer) and the metrics scrape.
///
/// Reading a socket's rooms or transport happens on its event loop: one hop per loop, not per socket, and nothing
/// on the delivery path.
struct LocalSiteInspector: Sendable {
    let io: SocketIOServer
    let sites: SiteRegistry
    let metrics: HeraldMetrics
    /// This instance's ID, on each socket listed.
    let instanceID: String

    /// Answers `query` for this instance's sockets.
    func answer(_ query: AdminQuery) async -> AdminAnswer {
        switch query {
        case .sites:
            return .sites(await self.sites())
        case .rooms(let site):
            let rooms = await self.rooms(site: site)
            return .rooms(rooms.map { Array($0.prefix(AdminLimits.maxRooms)) }, truncated: (rooms?.count ?? 0) > AdminLimits.maxRooms)
        case .sockets(let site, let room, let limit):
            let sockets = await self.sockets(site: site, room: room)
            return .sockets(sockets.map { Array($0.prefix(limit)) }, truncated: (sockets?.count ?? 0) > limit)
        }
    }

    /// Every configured site with its sockets here by transport and its messages emitted here.
    func sites() async -> [SiteSummary] {
        var summaries: [SiteSummary] = []
        for site in sites.all {
            let transports = await inspect(site) { socket in socket.transport }
            var byTransport = Dictionary(uniqueKeysWithValues: ClientTransport.allCases.map { ($0.rawValue, 0) })
            for transport in transports {
                byTransport[transport, default: 0] += 1
            }
            summaries.append(
                SiteSummary(
                    name: site.name,
                    socketsByTransport: byTransport,
                    messagesEmitted: metrics.site(site.name).messagesEmitted
                )
            )
        }
        return summaries
    }

    /// The rooms of `site` that have sockets here, with their member counts, by name; nil for an unknown site.
    func rooms(site siteName: String) async -> [RoomSummary]? {
        guard let site = sites.site(named: siteName) else { return nil }
        let roomsPerSocket = await inspect(site) { socket in socket.rooms.subtracting([socket.id]) }
        var members: [String: Int] = [:]
        for rooms in roomsPerSocket {
            for room in rooms {
                members[room, default: 0] += 1
            }
        }
        return members.map { RoomSummary(name: $0.key, members: $0.value) }.sorted { $0.name < $1.name }
    }

    /// The sockets of `room` on `site` here, oldest first; nil for an unknown site.
    func sockets(site siteName: String, room: String) async -> [SocketSummary]? {
        guard let site = sites.site(named: siteName) else { return nil }
        let instanceID = self.instanceID
        let summaries = await inspect(site) { socket -> SocketSummary? in
            guard socket.rooms.contains(room) else { return nil }
            let client = socket.data as? SiteClient
            return SocketSummary(
                instance: instanceID,
                id: socket.id,
                deviceID: client?.credentials.deviceID,
                transport: socket.transport,
                connectedSince: client?.connectedSince ?? 0
            )
        }
        return summaries.compactMap { $0 }.sorted(by: SocketSummary.oldestFirst)
    }

    /// Runs `read` for each socket of `site` here, on the socket's event loop, hopping once per loop.
    private func inspect<Value: Sendable>(_ site: Site, _ read: @escaping @Sendable (Socket) -> Value) async -> [Value] {
        await SocketReads.read(io.of(site.namespace).localSockets, read)
    }
}

extension SocketSummary {
    /// The admin API's order: oldest connection first, then by instance and ID.
    static func oldestFirst(_ first: SocketSummary, _ second: SocketSummary) -> Bool {
        (first.connectedSince, first.instance, first.id) < (second.connectedSince, second.instance, second.id)
    }
}
