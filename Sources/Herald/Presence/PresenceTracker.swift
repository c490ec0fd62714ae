import Foundation
public import Logging
import NIOConcurrencyHelpers

/// Room presence of this instance's sockets: reports each socket's rooms to the ``PresenceStore`` as it arrives,
/// subscribes, unsubscribes and leaves, and announces what the store says changed. The debounce lives here and in the
/// store: a socket's departure makes its device's last-socket rooms a pending leave, settled after the site's grace by
/// the ``PresenceTimer``; a socket of the device arriving meanwhile (on any instance) cancels it silently.
///
/// Each socket's reports run one after the other (a departure never overtakes its arrival), off the event loop.
/// A report the store fails to take is logged and dropped: rooms that were not counted are not uncounted later.
public final class PresenceTracker: PresenceReaping {
    private let store: any PresenceStore
    private let timer: any PresenceTimer
    private let announcer: any PresenceAnnouncer
    private let logger: Logger
    private let sockets = NIOLockedValueBox<[PresenceSocketKey: TrackedSocket]>([:])

    /// Tracks presence in `store`, settles leaves with `timer` and announces with `announcer`.
    public init(store: any PresenceStore, timer: any PresenceTimer = TaskPresenceTimer(), announcer: any PresenceAnnouncer, logger: Logger)
    {
        self.store = store
        self.timer = timer
        self.announcer = announcer
        self.logger = logger
    }

    /// The socket `key` of `members` (one per user of the socket, all of its device) is in `rooms`; its leaves will be
    /// settled after `grace`. The returned task ends once the store has it (tests await it).
    @discardableResult
    public func arrived(_ key: PresenceSocketKey, members: [PresenceMember], rooms: Set<String>, grace: Duration) -> Task<Void, Never> {
        let socket = TrackedSocket(members: members, grace: grace)
        sockets.withLockedValue { $0[key] = socket }
        return socket.enqueue { [self] in await count(rooms, of: socket, site: key.site) }
    }

    /// The socket `key` joined `room` after it arrived (a subscription); nothing for a socket not tracked.
    @discardableResult
    public func joined(_ key: PresenceSocketKey, room: String) -> Task<Void, Never>? {
        guard let socket = sockets.withLockedValue({ $0[key] }) else { return nil }
        return socket.enqueue { [self] in await count([room], of: socket, site: key.site) }
    }

    /// The socket `key` left `room` while staying connected (an unsubscribe).
    @discardableResult
    public func left(_ key: PresenceSocketKey, room: String) -> Task<Void, Never>? {
        guard let socket = sockets.withLockedValue({ $0[key] }) else { return nil }
        return socket.enqueue { [self] in await uncount([room], of: socket, site: key.site) }
    }

    /// The socket `key` is gone: every room it counted in starts its device's grace there if it was the last socket.
    @discardableResult
    public func departed(_ key: PresenceSocketKey) -> Task<Void, Never>? {
        guard let socket = sockets.withLockedValue({ $0[key] }) else { return nil }
        return socket.enqueue { [self] in
            await uncount(socket.counted.withLockedValue { $0 }, of: socket, site: key.site)
            sockets.withLockedValue { tracked in
                if tracked[key] === socket { tracked[key] = nil }
            }
        }
    }

    /// The members of `room` on `site`, sorted by user then device.
    public func members(site: String, room: String) async throws(StoreError) -> [PresenceMember] {
        try await store.members(site: site, room: room).sorted()
    }

    /// Waits until every report of the sockets tracked now has reached the store (a graceful shutdown waits for the
    /// departures of the sockets it closed before it retires the instance).
    public func drain() async {
        for socket in sockets.withLockedValue({ Array($0.values) }) {
            await socket.lastReport?.value
        }
    }

    /// Takes this instance out of every room (a graceful shutdown, after ``drain()``): its pending leaves are settled
    /// at once, since their timers die with the process, and `_leave` is announced.
    public func retire() async {
        do {
            try await reapPresence(of: store.instanceID)
        } catch {
            logger.warning("presence not retired (the instance reaper will): \(error)")
        }
    }

    public func reapPresence(of instance: String) async throws(StoreError) {
        for departure in try await store.reap(instance: instance) {
            announcer.announce(.leave, departure.member, room: departure.room, site: departure.site)
        }
    }

    private func count(_ rooms: Set<String>, of socket: TrackedSocket, site: String) async {
        let new = rooms.subtracting(socket.counted.withLockedValue { $0 })
        guard !new.isEmpty else { return }
        let sorted = new.sorted()
        for member in socket.members {
            do {
                for room in try await store.arrive(member, site: site, rooms: sorted) {
                    announcer.announce(.join, member, room: room, site: site)
                }
            } catch {
                logger.warning("presence arrival not recorded: \(error)", metadata: ["site": "\(site)", "user": "\(member.user)"])
                return
            }
        }
        socket.counted.withLockedValue { $0.formUnion(new) }
    }

    private func uncount(_ rooms: Set<String>, of socket: TrackedSocket, site: String) async {
        let counted = rooms.intersection(socket.counted.withLockedValue { $0 })
        guard !counted.isEmpty else { return }
        socket.counted.withLockedValue { $0.subtract(counted) }
        let sorted = counted.sorted()
        for member in socket.members {
            let leave = UUID().uuidString
            do {
                let pending = try await store.depart(member, site: site, rooms: sorted, leave: leave)
                guard !pending.isEmpty else { continue }
                if socket.grace <= .zero {
                    await settle(member, site: site, rooms: pending, leave: leave)
                } else {
                    timer.schedule(after: socket.grace) { [self] in await settle(member, site: site, rooms: pending, leave: leave) }
                }
            } catch {
                logger.warning("presence departure not recorded: \(error)", metadata: ["site": "\(site)", "user": "\(member.user)"])
            }
        }
    }

    private func settle(_ member: PresenceMember, site: String, rooms: [String], leave: String) async {
        do {
            for room in try await store.expire(member, site: site, rooms: rooms, leave: leave) {
                announcer.announce(.leave, member, room: room, site: site)
            }
        } catch {
            logger.warning("presence leave not settled (the instance reaper will): \(error)", metadata: ["site": "\(site)"])
        }
    }
}

/// A socket whose presence is tracked, named by its site and socket ID.
public struct PresenceSocketKey: Sendable, Hashable {
    /// The site's name.
    public var site: String
    /// The socket's ID.
    public var socketID: String

    /// Creates the key.
    public init(site: String, socketID: String) {
        self.site = site
        self.socketID = socketID
    }
}

/// What the tracker knows of one socket: its device's members, the rooms the store counts it in, and its reports in
/// order (each waits for the one before).
private final class TrackedSocket: Sendable {
    let members: [PresenceMember]
    let grace: Duration
    let counted = NIOLockedValueBox<Set<String>>([])
    private let reports = NIOLockedValueBox<Task<Void, Never>?>(nil)

    init(members: [PresenceMember], grace: Duration) {
        self.members = members
        self.grace = grace
    }

    var lastReport: Task<Void, Never>? { reports.withLockedValue { $0 } }

    func enqueue(_ report: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        reports.withLockedValue { last in
            let previous = last
            let next = Task {
                await previous?.value
                await report()
            }
            last = next
            return next
        }
    }
}
