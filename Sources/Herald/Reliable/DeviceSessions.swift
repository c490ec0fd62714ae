import NIOConcurrencyHelpers

/// The device sessions on this process (each a ``ReliableSession``: per-message acks or acknowledgement by position),
/// by site and user room, so a message for a user reaches their sockets here.
final class DeviceSessions: Sendable {
    private struct UserKey: Hashable {
        let site: String
        let userRoom: String
    }

    private let table = NIOLockedValueBox<[UserKey: [ObjectIdentifier: any ReliableSession]]>([:])
    /// The stops not yet recorded, by device: a socket of the same device connecting meanwhile waits for them.
    private let departing = NIOLockedValueBox<[DeviceKey: [ObjectIdentifier: Task<Void, Never>]]>([:])

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

    /// Stops `session` (its acks and then its disconnect reach the store) and keeps it among the device's departures
    /// until that is recorded.
    func stop(_ session: any ReliableSession) {
        remove(session)
        let stopping = session.stop()
        let (device, id) = (session.device, ObjectIdentifier(session))
        departing.withLockedValue { $0[device, default: [:]][id] = stopping }
        let departing = self.departing
        Task {
            await stopping.value
            departing.withLockedValue { departing in
                departing[device]?[id] = nil
                if departing[device]?.isEmpty == true { departing[device] = nil }
            }
        }
    }

    /// Waits until the sessions of `device` that stopped here have recorded their acks and disconnect, or `timeout`
    /// passes; true when they did. A device that reconnects at once would otherwise have its backlog read before
    /// the acks its last socket sent are recorded, and get those messages again in its `_batch`.
    func departure(of device: DeviceKey, timeout: Duration) async -> Bool {
        let stopping = departing.withLockedValue { $0[device].map { Array($0.values) } ?? [] }
        guard !stopping.isEmpty else { return true }
        return await withCheckedContinuation { continuation in
            let answer = NIOLockedValueBox<CheckedContinuation<Bool, Never>?>(continuation)
            let finish: @Sendable (Bool) -> Void = { settled in
                answer.withLockedValue { waiting in
                    waiting?.resume(returning: settled)
                    waiting = nil
                }
            }
            let timer = Task {
                do { try await Task.sleep(for: timeout) } catch { return }
                finish(false)
            }
            Task {
                for task in stopping { await task.value }
                timer.cancel()
                finish(true)
            }
        }
    }

    /// Waits until no session is open and every stop has reached the store, or `timeout` passes; true when settled.
    func settle(timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            let open = table.withLockedValue { $0.isEmpty == false }
            let stopping = departing.withLockedValue { !$0.isEmpty }
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
