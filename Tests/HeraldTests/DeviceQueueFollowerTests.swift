import HTTPTypes
import HookClient
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SocketIO
import Testing

@testable import Herald

/// A device on a wire that acknowledges by position gets its queue in storage order, and its position acknowledges
/// exactly the prefix it received, even when flake IDs were stored out of order (concurrent sends, other instances'
/// clocks).
@Suite(.timeLimit(.minutes(1))) struct DeviceQueueFollowerTests {
    private static let token = "token-of-user-one-0001"
    private static let site = Site(
        name: "shop",
        authentication: .tokens([token: ["user_1"]]),
        apiKey: "shop-key-0123456789",
        userRoomPrefix: "user_"
    )
    private static let phone = DeviceKey(site: "shop", userRoom: "user_1", deviceID: "phone")

    private struct Harness {
        let group: MultiThreadedEventLoopGroup
        let service: HeraldService
        let store: InMemoryMessageStore

        init(queueLimit: Int = 1_000) {
            group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            store = InMemoryMessageStore(settings: MessageStoreSettings(deviceTTL: 60, maxQueueLength: queueLimit))
            service = HeraldService(
                configuration: HeraldConfiguration(
                    settings: HeraldSettings(port: 0, maxQueueLength: queueLimit),
                    sites: [DeviceQueueFollowerTests.site.name: DeviceQueueFollowerTests.site]
                ),
                hooks: FakeHooks { _ throws(HookError) in throw HookError.cancelled },
                store: store,
                logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
                eventLoopGroup: group
            )
        }

        /// Connects a recording wire as the phone, naming `lastReceived`; returns once it got `settings`.
        func connect(lastReceived: FlakeID?) async throws -> RecordingWire {
            let wire = RecordingWire(eventLoop: group.next(), lastReceivedID: lastReceived)
            let namespace = try #require(service.io.namespace(named: "/shop"))
            let handshake = SocketHandshake(
                query: ["token": DeviceQueueFollowerTests.token, "deviceId": "phone"],
                headers: HTTPFields(),
                address: nil,
                url: "/sse/shop",
                issued: 0
            )
            let result = await withCheckedContinuation { continuation in
                namespace.connect(handshake, over: wire) { continuation.resume(returning: $0) }
            }
            wire.socket.withLockedValue { $0 = try? result.get() }
            try await wire.waitFor { $0.contains("settings") }
            return wire
        }

        /// Stores `message` for the phone and tells the sessions here, as a send does.
        func send(_ message: StoredMessage) async throws {
            let holders = try await store.enqueue(message, site: "shop", userRooms: ["user_1"])
            service.delivery.deliverLocally(
                DeviceDelivery(site: "shop", message: message, userRooms: ["user_1"], holders: holders, resync: false)
            )
        }
    }

    private static func message(_ raw: UInt64) -> StoredMessage {
        StoredMessage(id: FlakeID(rawValue: raw), event: "news", arguments: [.int(Int64(raw))])
    }

    @Test func storageOrderIsKeptAndThePositionAcknowledgesExactlyThePrefixSent() async throws {
        let harness = Harness()
        let first = try await harness.connect(lastReceived: nil)
        try await harness.send(Self.message(200))
        try await harness.send(Self.message(100))
        try await first.waitFor { $0.contains("id:100") }
        #expect(first.records.filter { $0.hasPrefix("id:") } == ["id:200 news [200]", "id:100 news [100]"])
        await first.end()

        try await harness.send(Self.message(150))
        let second = try await harness.connect(lastReceived: FlakeID(rawValue: 100))
        try await harness.send(Self.message(300))
        try await second.waitFor { $0.contains("id:300") }
        #expect(second.records.filter { $0.hasPrefix("id:") } == ["id:150 news [150]", "id:300 news [300]"])
        let left = try await harness.store.queued(Self.phone, after: nil)
        #expect(left.messages.map(\.id.rawValue) == [150, 300])
        await second.end()
        try await harness.group.shutdownGracefully()
    }

    @Test func aConnectionHoldingHalfTheQueueIsEndedForItsClientToComeBack() async throws {
        let harness = Harness(queueLimit: 4)
        let wire = try await harness.connect(lastReceived: nil)
        try await harness.send(Self.message(1))
        try await harness.send(Self.message(2))
        try await wire.waitFor { $0.contains("ended") }
        #expect(wire.records.filter { $0.hasPrefix("id:") } == ["id:1 news [1]", "id:2 news [2]"])
        try await harness.group.shutdownGracefully()
    }
}

/// A ``DeviceQueueWire`` that records what reaches its client, one line each.
private final class RecordingWire: DeviceQueueWire {
    let eventLoop: any EventLoop
    let lastReceivedID: FlakeID?
    let socket = NIOLockedValueBox<Socket?>(nil)
    private let state = NIOLockedValueBox<(records: [String], open: Bool)>(([], true))
    private let changes = AsyncStream<Void>.makeStream()

    init(eventLoop: any EventLoop, lastReceivedID: FlakeID?) {
        self.eventLoop = eventLoop
        self.lastReceivedID = lastReceivedID
    }

    var records: [String] { state.withLockedValue { $0.records } }
    var isOpen: Bool { state.withLockedValue { $0.open } }
    var transportName: String { "recording" }

    private func record(_ line: String) {
        state.withLockedValue { $0.records.append(line) }
        changes.continuation.yield()
    }

    /// Waits until a record passes `condition`.
    func waitFor(_ condition: (String) -> Bool) async throws {
        if records.contains(where: condition) { return }
        for await _ in changes.stream where records.contains(where: condition) { return }
    }

    /// The client went away.
    func end() async {
        state.withLockedValue { $0.open = false }
        let socket = self.socket.withLockedValue { $0 }
        try? await eventLoop.submit { socket?.connectionEnded(.transportClose) }.get()
    }

    func send(_ packet: SocketPacket, of socket: Socket) {
        if case .event(_, _, let name, _) = packet {
            record(name == "_settings" ? "settings" : name)
        }
    }

    func deliver(_ broadcast: PreparedBroadcast, to socket: Socket) {}
    func socketLeft(_ socket: Socket) {}
    func close() {}

    func sendQueued(_ messages: [StoredMessage]) {
        for message in messages {
            record("id:\(message.id) \(message.event) \(JSONValue.array(message.arguments).jsonString)")
        }
    }

    func sendUnqueued(_ message: StoredMessage) {
        record("\(message.event) \(JSONValue.array(message.arguments).jsonString)")
    }

    func sendResync() {
        record("resync")
    }

    func endForAcknowledgement() {
        record("ended")
    }
}
