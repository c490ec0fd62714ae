import Herald
import Logging
import NIOConcurrencyHelpers
import Testing

/// The debounce: arrivals, departures and subscriptions reported to an in-memory store, leaves settled by a timer the
/// test fires by hand.
struct PresenceTrackerTests {
    let timer = ManualPresenceTimer()
    let announcer = RecordingAnnouncer()
    let store = InMemoryPresenceStore(instanceID: "here")
    let phone = PresenceMember(user: "42", deviceID: "phone")
    let grace = Duration.seconds(5)

    func tracker() -> PresenceTracker {
        PresenceTracker(store: store, timer: timer, announcer: announcer, logger: Logger(label: "test"))
    }

    func key(_ socket: String) -> PresenceSocketKey { PresenceSocketKey(site: "shop", socketID: socket) }

    @Test func aDeviceArrivesOnceHoweverManySocketsItOpens() async throws {
        let tracker = tracker()
        await tracker.arrived(key("s1"), members: [phone], rooms: ["news", "chat"], grace: grace).value
        await tracker.arrived(key("s2"), members: [phone], rooms: ["news"], grace: grace).value
        #expect(announcer.events == ["_join chat 42/phone", "_join news 42/phone"])
        await tracker.departed(key("s2"))?.value
        #expect(timer.pending == 0)
        #expect(try await tracker.members(site: "shop", room: "news") == [phone])
    }

    @Test func aLeaveIsAnnouncedOnceTheGraceIsOver() async throws {
        let tracker = tracker()
        await tracker.arrived(key("s1"), members: [phone], rooms: ["news"], grace: grace).value
        await tracker.departed(key("s1"))?.value
        #expect(timer.delays == [grace])
        #expect(announcer.events == ["_join news 42/phone"])
        #expect(try await tracker.members(site: "shop", room: "news") == [phone])
        await timer.fire()
        #expect(announcer.events == ["_join news 42/phone", "_leave news 42/phone"])
        #expect(try await tracker.members(site: "shop", room: "news") == [])
    }

    @Test func aReconnectWithinTheGraceAnnouncesNothing() async {
        let tracker = tracker()
        await tracker.arrived(key("s1"), members: [phone], rooms: ["news"], grace: grace).value
        await tracker.departed(key("s1"))?.value
        await tracker.arrived(key("s2"), members: [phone], rooms: ["news"], grace: grace).value
        await timer.fire()
        #expect(announcer.events == ["_join news 42/phone"])
    }

    @Test func subscriptionsCountAsRoomsAndAnUnsubscribeIsALeave() async {
        let tracker = tracker()
        await tracker.arrived(key("s1"), members: [phone], rooms: [], grace: grace).value
        await tracker.joined(key("s1"), room: "sports")?.value
        await tracker.joined(key("s1"), room: "sports")?.value
        #expect(announcer.events == ["_join sports 42/phone"])
        await tracker.left(key("s1"), room: "sports")?.value
        await timer.fire()
        await tracker.departed(key("s1"))?.value
        #expect(timer.pending == 0)
        #expect(announcer.events == ["_join sports 42/phone", "_leave sports 42/phone"])
    }

    @Test func noGraceAnnouncesTheLeaveAtOnce() async {
        let tracker = tracker()
        await tracker.arrived(key("s1"), members: [phone], rooms: ["news"], grace: .zero).value
        await tracker.departed(key("s1"))?.value
        #expect(timer.pending == 0)
        #expect(announcer.events == ["_join news 42/phone", "_leave news 42/phone"])
    }

    @Test func retiringLeavesEveryRoomAtOnce() async {
        let tracker = tracker()
        let laptop = PresenceMember(user: "7", deviceID: "laptop")
        await tracker.arrived(key("s1"), members: [phone], rooms: ["news"], grace: grace).value
        await tracker.arrived(key("s2"), members: [laptop], rooms: ["news"], grace: grace).value
        tracker.departed(key("s1"))
        await tracker.drain()
        await tracker.retire()
        #expect(Set(announcer.events.suffix(2)) == ["_leave news 42/phone", "_leave news 7/laptop"])
        await timer.fire()
        #expect(announcer.events.count == 4)
    }
}

/// A timer that runs its actions when the test says so.
final class ManualPresenceTimer: PresenceTimer {
    private let scheduled = NIOLockedValueBox<[(delay: Duration, action: @Sendable () async -> Void)]>([])
    private let fired = NIOLockedValueBox<[Duration]>([])

    func schedule(after delay: Duration, _ action: @escaping @Sendable () async -> Void) {
        scheduled.withLockedValue { $0.append((delay, action)) }
    }

    /// How many actions wait.
    var pending: Int { scheduled.withLockedValue { $0.count } }

    /// The delays of the actions waiting.
    var delays: [Duration] { scheduled.withLockedValue { $0.map(\.delay) } }

    /// Runs every waiting action, in order.
    func fire() async {
        let actions = scheduled.withLockedValue { scheduled in
            defer { scheduled = [] }
            return scheduled.map(\.action)
        }
        for action in actions {
            await action()
        }
    }
}

/// Announcements as `<event> <room> <user>/<device>`.
final class RecordingAnnouncer: PresenceAnnouncer {
    private let recorded = NIOLockedValueBox<[String]>([])

    var events: [String] { recorded.withLockedValue { $0 } }

    func announce(_ event: HeraldEvent, _ member: PresenceMember, room: String, site: String) {
        recorded.withLockedValue { $0.append("\(event.rawValue) \(room) \(member.user)/\(member.deviceID)") }
    }
}
