/// What the admin API reads and does, for the whole service: this instance asks every other live instance over the
/// control exchange (``ClusterControl``) and merges their answers with its own, so any instance behind a load
/// balancer shows every socket, each with the instance it is on. Nothing is kept per socket for this: it costs
/// nothing until an operator looks.
///
/// An instance that does not answer within ``timeout`` is listed as missing rather than waited for.
public struct SiteInspector: Sendable {
    /// How long answers of the other instances are waited for.
    public static let timeout: Duration = .seconds(2)

    private let local: LocalSiteInspector
    private let control: BackendControl

    /// Creates the inspector of `service`.
    public init(service: HeraldService) {
        local = service.inspector
        control = service.control
    }

    /// Every configured site with its sockets by transport and messages emitted, summed over the instances.
    public func sites() async -> ClusterView<[SiteSummary]> {
        await ask(.sites) { answers in
            var merged: [String: SiteSummary] = [:]
            var order: [String] = []
            for case .sites(let summaries) in answers {
                for summary in summaries {
                    guard var total = merged[summary.name] else {
                        merged[summary.name] = summary
                        order.append(summary.name)
                        continue
                    }
                    total.socketsByTransport.merge(summary.socketsByTransport, uniquingKeysWith: +)
                    total.messagesEmitted += summary.messagesEmitted
                    merged[summary.name] = total
                }
            }
            return (order.compactMap { merged[$0] }, false)
        }
    }

    /// The rooms of `site` with their members on every instance, by name (at most ``AdminLimits/maxRooms``); nil
    /// for a site this instance does not serve.
    public func rooms(site: String) async -> ClusterView<[RoomSummary]>? {
        guard local.sites.site(named: site) != nil else { return nil }
        return await ask(.rooms(site: site)) { answers in
            var members: [String: Int] = [:]
            var truncated = false
            for case .rooms(let rooms, let cut) in answers {
                truncated = truncated || cut
                for room in rooms ?? [] {
                    members[room.name, default: 0] += room.members
                }
            }
            let rooms = members.map { RoomSummary(name: $0.key, members: $0.value) }.sorted { $0.name < $1.name }
            return (Array(rooms.prefix(AdminLimits.maxRooms)), truncated || rooms.count > AdminLimits.maxRooms)
        }
    }

    /// The sockets of `room` on `site` on every instance, oldest first, at most `limit`; nil for a site this
    /// instance does not serve.
    public func sockets(site: String, room: String, limit: Int = AdminLimits.maxSockets) async -> ClusterView<[SocketSummary]>? {
        guard local.sites.site(named: site) != nil else { return nil }
        let limit = min(max(1, limit), AdminLimits.maxSockets)
        return await ask(.sockets(site: site, room: room, limit: limit)) { answers in
            var sockets: [SocketSummary] = []
            var truncated = false
            for case .sockets(let listed, let cut) in answers {
                truncated = truncated || cut
                sockets += listed ?? []
            }
            sockets.sort(by: SocketSummary.oldestFirst)
            return (Array(sockets.prefix(limit)), truncated || sockets.count > limit)
        }
    }

    /// Disconnects the socket `id` of `site`, on whichever instance it is connected to; returns whether one was.
    public func disconnect(site: String, socketID id: String) async -> Bool {
        guard local.sites.site(named: site) != nil else { return false }
        return await control.disconnect(site: site, target: .socket(id)) > 0
    }

    /// Disconnects every socket of user `userID` on `site` on every instance and returns how many there were; nil
    /// when the site is unknown or has no `userRoomPrefix`.
    public func disconnect(site siteName: String, userID: String) async -> Int? {
        guard let site = local.sites.site(named: siteName), site.userRoomPrefix != nil else { return nil }
        return await control.disconnect(site: site.name, target: .user(userID))
    }

    private func ask<Value: Sendable>(
        _ query: AdminQuery,
        merge: ([AdminAnswer]) -> (Value, truncated: Bool)
    ) async -> ClusterView<Value> {
        async let here = local.answer(query)
        async let live = control.cluster.liveInstances()
        let elsewhere = await control.cluster.runElsewhere(.inspect(query), timeout: Self.timeout)
        var answers = [await here]
        var answered = [local.instanceID]
        for case .inspected(let instance, let answer) in elsewhere {
            answers.append(answer)
            answered.append(instance)
        }
        let missing = Set(await live ?? []).subtracting(answered).sorted()
        let (value, truncated) = merge(answers)
        return ClusterView(value: value, instances: answered.sorted(), missing: missing, truncated: truncated)
    }
}

/// An admin answer merged from the instances: what they said, which answered, which did not in time.
public struct ClusterView<Value: Sendable>: Sendable {
    /// The merged answer.
    public var value: Value
    /// The instances whose sockets it covers (this one first among them, sorted).
    public var instances: [String]
    /// Live instances (by the cluster's registry) that did not answer in time: their sockets are not included.
    public var missing: [String]
    /// Whether a list was cut at its bound.
    public var truncated: Bool
}
