public import Herald
import SocketIO
public import Testing

/// The behaviour every ``MessageStore`` must have, run by each implementation's tests:
/// `@Test(arguments: MessageStoreContract.allCases) func contract(_ rule: MessageStoreContract) async throws {
/// try await rule.check(makeStore) }`.
public enum MessageStoreContract: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case enqueueReachesEveryLiveDeviceOfEachUser
    case ackRemovesExactlyThatMessage
    case backlogIsOldestFirstAndBatchAckRemovesOnlyItsMessages
    case outOfOrderAckWithResyncClearsThatEventOnly
    case outOfOrderAckWithoutResyncRemovesJustIt
    case deviceOfflineLongerThanTTLIsForgotten
    case reconnectCancelsExpiry
    case zeroTTLKeepsDevicesForever
    case overflowDropsOldestAndAsksForResync
    case sharedRoomMembershipIsCaseInsensitiveAndFollowsTheLatestConnect
    case deviceWithTwoSocketsStaysConnectedUntilBothLeave
    case sitesAreSeparate
    case argumentsRoundTripExactly
    case newDeviceBeyondTheCapEvictsTheLongestOfflineDevice
    case newDeviceIsRefusedWhenEveryDeviceIsConnected
    case expiredDevicesDoNotCountTowardsTheCap
    case resumingAConnectedDeviceCountsNoSecondSocketAndReturnsItsBacklog
    case resumingADeviceTheStoreForgotRegistersItAgain
    case queuedFollowsStorageOrderNotIDOrder
    case acknowledgeThroughRemovesTheStoredPrefixOnly
    case queuedAfterAnIDNoLongerQueuedIsTheWholeQueue
    case queuedAfterAnOverflowClearsTheQueueAndAsksForResync

    public var testDescription: String { rawValue }

    /// Makes a fresh, empty store with these settings reading this clock.
    public typealias Factory = @Sendable (MessageStoreSettings, ManualWallClock) async throws -> any MessageStore

    /// Runs this rule against a store from `factory`.
    public func check(_ factory: Factory) async throws {
        let clock = ManualWallClock()
        let settings = MessageStoreSettings(deviceTTL: self == .zeroTTLKeepsDevicesForever ? 0 : 60, maxQueueLength: 3)
        let store = try await factory(settings, clock)
        try await Scenario(store: store, clock: clock).run(self)
    }
}

private struct Scenario {
    let store: any MessageStore
    let clock: ManualWallClock
    let ids = FlakeIDGenerator(datacenter: 1, worker: 2, clock: SystemWallClock())

    func device(_ user: String, _ device: String, site: String = "shop") -> DeviceKey {
        DeviceKey(site: site, userRoom: "user_\(user)", deviceID: device)
    }

    func message(_ event: String = "news", _ arguments: [JSONValue] = ["x"]) -> StoredMessage {
        StoredMessage(id: ids.next(), event: event, arguments: arguments)
    }

    enum Registered: Hashable {
        case registered(evicted: Int)
        case refused
    }

    /// Connects `key` under a cap of `cap` devices per user; what the store said, without the backlog.
    func register(_ key: DeviceKey, cap: Int) async throws -> Registered {
        switch try await store.connect(key, sharedRooms: [], maxDevices: cap) {
        case .registered(_, let evicted): return .registered(evicted: evicted)
        case .refused: return .refused
        }
    }

    func backlogIDs(_ key: DeviceKey) async throws -> [FlakeID] {
        try await store.disconnect(key)
        return try await store.connect(key, sharedRooms: []).messages.map(\.id)
    }

    func run(_ rule: MessageStoreContract) async throws {
        switch rule {
        case .queuedFollowsStorageOrderNotIDOrder:
            let phone = device("alice", "phone")
            _ = try await store.connect(phone, sharedRooms: [])
            let older = message("a")
            let newer = message("b")
            let last = message("c")
            for item in [newer, older, last] { _ = try await store.enqueue(item, site: "shop", userRooms: ["user_alice"]) }
            #expect(try await store.queued(phone, after: nil) == DeviceBacklog(messages: [newer, older, last], overflowed: false))
            #expect(try await store.queued(phone, after: newer.id).messages == [older, last])
            #expect(try await store.queued(phone, after: last.id).messages.isEmpty)
            #expect(try await backlogIDs(phone) == [older.id, newer.id, last.id])

        case .acknowledgeThroughRemovesTheStoredPrefixOnly:
            let phone = device("alice", "phone")
            _ = try await store.connect(phone, sharedRooms: [])
            let older = message("a")
            let newer = message("b")
            let last = message("a")
            for item in [newer, older, last] { _ = try await store.enqueue(item, site: "shop", userRooms: ["user_alice"]) }
            #expect(try await store.acknowledgeThrough(phone, id: older.id) == 2)
            #expect(try await store.acknowledgeThrough(phone, id: older.id) == 0)
            #expect(try await store.acknowledgeThrough(phone, id: FlakeID(rawValue: 12345)) == 0)
            #expect(try await store.acknowledgeThrough(device("alice", "tablet"), id: last.id) == 0)
            #expect(try await store.queued(phone, after: nil).messages == [last])
            #expect(try await store.acknowledge(phone, id: last.id, resync: true) == .removed)
            #expect(try await backlogIDs(phone).isEmpty)

        case .queuedAfterAnIDNoLongerQueuedIsTheWholeQueue:
            let phone = device("alice", "phone")
            _ = try await store.connect(phone, sharedRooms: [])
            let first = message()
            let second = message()
            for item in [first, second] { _ = try await store.enqueue(item, site: "shop", userRooms: ["user_alice"]) }
            #expect(try await store.acknowledge(phone, id: first.id, resync: false) == .removed)
            #expect(try await store.queued(phone, after: first.id).messages == [second])
            #expect(try await store.queued(device("bob", "phone"), after: nil) == DeviceBacklog(messages: [], overflowed: false))

        case .queuedAfterAnOverflowClearsTheQueueAndAsksForResync:
            let phone = device("alice", "phone")
            _ = try await store.connect(phone, sharedRooms: [])
            for _ in 0..<4 { _ = try await store.enqueue(message(), site: "shop", userRooms: ["user_alice"]) }
            #expect(try await store.queued(phone, after: nil) == DeviceBacklog(messages: [], overflowed: true))
            #expect(try await store.queued(phone, after: nil) == DeviceBacklog(messages: [], overflowed: false))
            let later = message()
            _ = try await store.enqueue(later, site: "shop", userRooms: ["user_alice"])
            #expect(try await store.queued(phone, after: nil).messages == [later])
            #expect(try await backlogIDs(phone) == [later.id])

        case .resumingAConnectedDeviceCountsNoSecondSocketAndReturnsItsBacklog:
            let phone = device("alice", "phone")
            _ = try await store.connect(phone, sharedRooms: ["news"])
            let missed = message()
            _ = try await store.enqueue(missed, site: "shop", userRooms: ["user_alice"])
            guard case .registered(let backlog, evicted: 0) = try await store.resume(phone, sharedRooms: ["news"], maxDevices: 5) else {
                Issue.record("resume refused a connected device")
                return
            }
            #expect(backlog.messages == [missed])
            try await store.disconnect(phone)  // its one socket leaves: the device_ttl clock starts
            clock.advance(seconds: 61)
            #expect(try await store.enqueue(message(), site: "shop", userRooms: ["user_alice"]).isEmpty)

        case .resumingADeviceTheStoreForgotRegistersItAgain:
            let phone = device("alice", "phone")
            guard case .registered(let backlog, evicted: 0) = try await store.resume(phone, sharedRooms: ["news"], maxDevices: 5) else {
                Issue.record("resume refused a device the store did not know")
                return
            }
            #expect(backlog.messages.isEmpty && !backlog.overflowed)
            #expect(try await store.userRooms(site: "shop", sharedRoom: "news") == ["user_alice"])
            #expect(try await store.enqueue(message(), site: "shop", userRooms: ["user_alice"]) == [phone])

        case .enqueueReachesEveryLiveDeviceOfEachUser:
            let phone = device("alice", "phone")
            let laptop = device("alice", "laptop")
            let bob = device("bob", "phone")
            for key in [phone, laptop, bob] { _ = try await store.connect(key, sharedRooms: ["news"]) }
            try await store.disconnect(laptop)
            let holders = try await store.enqueue(message(), site: "shop", userRooms: ["user_alice", "user_bob", "user_nobody"])
            #expect(Set(holders) == [phone, laptop, bob])

        case .ackRemovesExactlyThatMessage:
            let phone = device("alice", "phone")
            _ = try await store.connect(phone, sharedRooms: [])
            let first = message()
            let second = message()
            _ = try await store.enqueue(first, site: "shop", userRooms: ["user_alice"])
            _ = try await store.enqueue(second, site: "shop", userRooms: ["user_alice"])
            #expect(try await store.acknowledge(phone, id: first.id, resync: false) == .removed)
            #expect(try await store.acknowledge(phone, id: first.id, resync: false) == .notQueued)
            #expect(try await backlogIDs(phone) == [second.id])

        case .backlogIsOldestFirstAndBatchAckRemovesOnlyItsMessages:
            let phone = device("alice", "phone")
            _ = try await store.connect(phone, sharedRooms: [])
            try await store.disconnect(phone)
            let sent = [message("a"), message("b")]
            for item in sent { _ = try await store.enqueue(item, site: "shop", userRooms: ["user_alice"]) }
            let backlog = try await store.connect(phone, sharedRooms: [])
            #expect(backlog.messages == sent)
            #expect(!backlog.overflowed)
            let later = message("d")
            _ = try await store.enqueue(later, site: "shop", userRooms: ["user_alice"])
            try await store.acknowledgeBatch(phone, ids: backlog.messages.map(\.id))
            #expect(try await backlogIDs(phone) == [later.id])

        case .outOfOrderAckWithResyncClearsThatEventOnly:
            let phone = device("alice", "phone")
            _ = try await store.connect(phone, sharedRooms: [])
            let first = message("update")
            let second = message("update")
            let other = message("chat")
            for item in [first, second, other] { _ = try await store.enqueue(item, site: "shop", userRooms: ["user_alice"]) }
            #expect(try await store.acknowledge(phone, id: second.id, resync: true) == .resync(event: "update"))
            #expect(try await backlogIDs(phone) == [other.id])
            let third = message("update")
            _ = try await store.enqueue(third, site: "shop", userRooms: ["user_alice"])
            #expect(try await store.acknowledge(phone, id: third.id, resync: true) == .removed)

        case .outOfOrderAckWithoutResyncRemovesJustIt:
            let phone = device("alice", "phone")
            _ = try await store.connect(phone, sharedRooms: [])
            let first = message("update")
            let second = message("update")
            for item in [first, second] { _ = try await store.enqueue(item, site: "shop", userRooms: ["user_alice"]) }
            #expect(try await store.acknowledge(phone, id: second.id, resync: false) == .removed)
            #expect(try await backlogIDs(phone) == [first.id])

        case .deviceOfflineLongerThanTTLIsForgotten:
            let phone = device("alice", "phone")
            _ = try await store.connect(phone, sharedRooms: ["news"])
            _ = try await store.enqueue(message(), site: "shop", userRooms: ["user_alice"])
            try await store.disconnect(phone)
            clock.advance(seconds: 61)
            #expect(try await store.enqueue(message(), site: "shop", userRooms: ["user_alice"]).isEmpty)
            let backlog = try await store.connect(phone, sharedRooms: [])
            #expect(backlog.messages.isEmpty && !backlog.overflowed)

        case .reconnectCancelsExpiry:
            let phone = device("alice", "phone")
            _ = try await store.connect(phone, sharedRooms: [])
            try await store.disconnect(phone)
            clock.advance(seconds: 50)
            _ = try await store.connect(phone, sharedRooms: [])
            clock.advance(seconds: 120)
            let queued = message()
            #expect(try await store.enqueue(queued, site: "shop", userRooms: ["user_alice"]) == [phone])
            try await store.disconnect(phone)
            clock.advance(seconds: 30)
            #expect(try await store.connect(phone, sharedRooms: []).messages == [queued])

        case .zeroTTLKeepsDevicesForever:
            let phone = device("alice", "phone")
            _ = try await store.connect(phone, sharedRooms: [])
            try await store.disconnect(phone)
            clock.advance(seconds: 86_400 * 400)
            let queued = message()
            #expect(try await store.enqueue(queued, site: "shop", userRooms: ["user_alice"]) == [phone])
            #expect(try await store.connect(phone, sharedRooms: []).messages == [queued])

        case .overflowDropsOldestAndAsksForResync:
            let phone = device("alice", "phone")
            _ = try await store.connect(phone, sharedRooms: [])
            try await store.disconnect(phone)
            for _ in 0..<5 { _ = try await store.enqueue(message(), site: "shop", userRooms: ["user_alice"]) }
            let backlog = try await store.connect(phone, sharedRooms: [])
            #expect(backlog.overflowed)
            #expect(backlog.messages.isEmpty)
            let next = message()
            _ = try await store.enqueue(next, site: "shop", userRooms: ["user_alice"])
            try await store.disconnect(phone)
            let after = try await store.connect(phone, sharedRooms: [])
            #expect(!after.overflowed)
            #expect(after.messages == [next])

        case .sharedRoomMembershipIsCaseInsensitiveAndFollowsTheLatestConnect:
            _ = try await store.connect(device("alice", "phone"), sharedRooms: ["News", "Sports"])
            _ = try await store.connect(device("bob", "phone"), sharedRooms: ["news"])
            #expect(try await store.userRooms(site: "shop", sharedRoom: "NEWS") == ["user_alice", "user_bob"])
            try await store.disconnect(device("alice", "phone"))
            #expect(try await store.userRooms(site: "shop", sharedRoom: "news") == ["user_alice", "user_bob"])
            _ = try await store.connect(device("alice", "phone"), sharedRooms: ["sports"])
            #expect(try await store.userRooms(site: "shop", sharedRoom: "news") == ["user_bob"])
            #expect(try await store.userRooms(site: "shop", sharedRoom: "sports") == ["user_alice"])

        case .deviceWithTwoSocketsStaysConnectedUntilBothLeave:
            let phone = device("alice", "phone")
            _ = try await store.connect(phone, sharedRooms: [])
            _ = try await store.connect(phone, sharedRooms: [])
            try await store.disconnect(phone)
            clock.advance(seconds: 120)
            #expect(try await store.enqueue(message(), site: "shop", userRooms: ["user_alice"]) == [phone])
            try await store.disconnect(phone)
            clock.advance(seconds: 120)
            #expect(try await store.enqueue(message(), site: "shop", userRooms: ["user_alice"]).isEmpty)

        case .sitesAreSeparate:
            let shop = device("alice", "phone")
            let blog = device("alice", "phone", site: "blog")
            _ = try await store.connect(shop, sharedRooms: ["news"])
            _ = try await store.connect(blog, sharedRooms: ["news"])
            #expect(try await store.enqueue(message(), site: "blog", userRooms: ["user_alice"]) == [blog])
            #expect(try await store.userRooms(site: "blog", sharedRoom: "news") == ["user_alice"])
            #expect(try await backlogIDs(shop).isEmpty)

        case .argumentsRoundTripExactly:
            let phone = device("alice", "phone")
            _ = try await store.connect(phone, sharedRooms: [])
            let rich = message(
                "rich",
                [["nested": [1, 2.5, "três ✓", nil, true], "big": .int(Int64.max)], "quote \" and \\", []]
            )
            _ = try await store.enqueue(rich, site: "shop", userRooms: ["user_alice"])
            try await store.disconnect(phone)
            #expect(try await store.connect(phone, sharedRooms: []).messages == [rich])

        case .newDeviceBeyondTheCapEvictsTheLongestOfflineDevice:
            let (phone, laptop, tablet, watch) = (
                device("alice", "phone"), device("alice", "laptop"), device("alice", "tablet"), device("alice", "watch")
            )
            for key in [phone, laptop, tablet] { #expect(try await register(key, cap: 3) == .registered(evicted: 0)) }
            try await store.disconnect(laptop)
            clock.advance(seconds: 5)
            try await store.disconnect(phone)
            _ = try await store.enqueue(message(), site: "shop", userRooms: ["user_alice"])
            #expect(try await register(watch, cap: 3) == .registered(evicted: 1))
            let kept = message()
            #expect(Set(try await store.enqueue(kept, site: "shop", userRooms: ["user_alice"])) == [phone, tablet, watch])
            #expect(try await register(laptop, cap: 3) == .registered(evicted: 1))
            #expect(try await store.enqueue(message(), site: "shop", userRooms: ["user_alice"]).count == 3)

        case .newDeviceIsRefusedWhenEveryDeviceIsConnected:
            let (phone, laptop) = (device("alice", "phone"), device("alice", "laptop"))
            for key in [phone, laptop] { _ = try await register(key, cap: 2) }
            #expect(try await register(device("alice", "watch"), cap: 2) == .refused)
            #expect(try await register(phone, cap: 2) == .registered(evicted: 0))
            #expect(try await register(device("bob", "watch"), cap: 2) == .registered(evicted: 0))
            #expect(Set(try await store.enqueue(message(), site: "shop", userRooms: ["user_alice"])) == [phone, laptop])

        case .expiredDevicesDoNotCountTowardsTheCap:
            let (phone, laptop) = (device("alice", "phone"), device("alice", "laptop"))
            for key in [phone, laptop] { _ = try await register(key, cap: 2) }
            try await store.disconnect(laptop)
            clock.advance(seconds: 61)
            #expect(try await register(device("alice", "watch"), cap: 2) == .registered(evicted: 0))
            #expect(try await register(device("alice", "tablet"), cap: 2) == .refused)
        }
    }
}
