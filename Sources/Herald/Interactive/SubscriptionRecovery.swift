import SocketIO

/// Keeps a recovering socket's subscriptions (its ``SubscriptionRoom``s): the site's `subscribeUrl` is asked again
/// for each, as it was when the client subscribed, since the client's rights may have changed while it was away; the
/// ones it still allows are kept, the others left. At most `maxRoomsPerClient` less the rooms `authUrl` granted are
/// asked about, all at once, each call holding one of the site's hook slots like a `_subscribe`: a subscription the
/// site has no slot for now is left (the client may subscribe again).
struct SubscriptionRecovery: Sendable {
    let hook: InteractionHook
    let slots: SiteHookSlots

    /// Of the subscription rooms `rooms`, those the site's subscribe hook allows now for the client with
    /// `credentials`; none when the site has no `subscribeUrl`.
    func stillAllowed(
        _ rooms: Set<String>,
        socketID: String,
        credentials: ClientCredentials,
        granted: [String],
        site: Site
    ) async -> Set<String> {
        guard let url = site.interaction.subscribeURL, !rooms.isEmpty else { return [] }
        let roomsLeft = site.limits.maxRoomsPerClient.map { max(0, $0 - granted.count) } ?? rooms.count
        let candidates = rooms.compactMap(SubscriptionRoom.room(of:)).sorted().prefix(roomsLeft)
        let (hook, slots) = (self.hook, self.slots)
        return await withTaskGroup(of: String?.self) { group in
            for room in candidates {
                let body = InteractionHook.body(
                    ["room": .string(room), "rooms": .array(granted.map(JSONValue.string)), "recovering": true],
                    site: site,
                    socketID: socketID,
                    credentials: credentials
                )
                group.addTask {
                    guard slots.take(site: site.name) else { return nil }
                    defer { slots.release(site: site.name) }
                    guard case .success(.allowed) = await hook.call(url, body: body, token: credentials.token, site: site) else {
                        return nil
                    }
                    return SubscriptionRoom.name(for: room)
                }
            }
            var allowed: Set<String> = []
            for await room in group {
                if let room { allowed.insert(room) }
            }
            return allowed
        }
    }
}
