import NIOConcurrencyHelpers

/// The device sessions on this process (each a ``ReliableSession``: per-message acks or acknowledgement by position),
/// by site and user room, so a message for a user reaches their sockets here.
final class DeviceSessions: Sendable {
    private struct UserKey: Hashable {
        let site: String
        let userRoom: String
    }

    private let table = NIOLockedValueBox<[UserKey: [ObjectIdentifier: any ReliableSession]]>([:])
    private let pendingStops = NIOLockedValueBox<Int>(0)

    func add(_ session: any ReliableSession) {
        let key = UserKey(site: session.device.site, userRoom: session.device.userRoom)
        table.withLockedValue { $0[key, default: [:]][ObjectIdentifier(session)] = session }
    }

    func remove(_ session: any ReliableSession) {
        let key = UserKey(site: session.device.site, userRoom: session.device.userRoom)
        table.withLockedValue { table in
            table[key]?[ObjectIdentifier(session)] = nil
            if table[key]?.isEmpty == true { table[key] = nil }
        }
    }

    /// Stops `session` (its disconnect reaches the store) and keeps count until that is recorded.
    func stop(_ session: any ReliableSession) {
        remove(session)
        pendingStops.withLockedValue { $0 += 1 }
        let stopping = session.stop()
        let pendingStops = self.pendingStops
        Task {
            await stopping.value
            pendingStops.withLockedValue { $0 -= 1 }
        }
    }

    /// Waits until no session is open and every stop has reached the store, or `timeout` passes; true when settled.
    func settle(timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            let open = table.withLockedValue { $0.isEmpty == false }
            let stopping = pendingStops.withLockedValue { $0 > 0 }
            if !open && !stopping { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Every session asks the store again for what its device is owed (live deliveries were lost); returns how many.
    @discardableResult
    func catchUp() -> Int {
        let all = table.withLockedValue { table in table.values.flatMap(\.values) }
        for session in all {
            session.catchUp()
        }
        return all.count
    }

    /// The sessions of the users of `userRooms` on `site`, looked up under one lock.
    func sessions(site: String, userRooms: [String]) -> [any ReliableSession] {
        table.withLockedValue { table in
            userRooms.flatMap { userRoom in table[UserKey(site: site, userRoom: userRoom)].map { Array($0.values) } ?? [] }
        }
    }
}
