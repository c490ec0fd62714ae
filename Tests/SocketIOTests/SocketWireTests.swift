import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import EngineIO
@testable import SocketIO

/// A client protocol other than Socket.IO plugs in as a ``SocketWire``: its clients pass the namespace's middlewares,
/// join rooms, get emits, broadcasts and acks as packets, and leave like any socket.
@Suite struct SocketWireTests {
    @Test func admittedClientJoinsRoomsAndGetsBroadcastsRenderedOnceForAllRecipients() async throws {
        let harness = LiveSocketServerHarness()
        let namespace = harness.io.of("/site")
        namespace.use { socket in socket.join("news") }
        let renders = NIOLockedValueBox(0)
        let first = RecordingWire(eventLoop: harness.group.next(), renders: renders)
        let second = RecordingWire(eventLoop: harness.group.next(), renders: renders)
        let sockets = [try await connect(first, to: namespace), try await connect(second, to: namespace)]
        let sentinel = RecordingWire(eventLoop: harness.group.next(), renders: renders)
        _ = try await connect(sentinel, to: namespace)

        await namespace.adapter.broadcastAndWait(
            .event(namespace: "/site", ackID: nil, name: "update", arguments: [.object(["n": .int(1)])]),
            options: BroadcastOptions(rooms: ["news"])
        )

        for wire in [first, second] {
            #expect(wire.rendered == [#"update [{"n":1}]"#])
        }
        #expect(renders.withLockedValue { $0 } == 1, "each recipient rendered the broadcast again")
        #expect(try await sockets[0].eventLoop.submit { sockets[0].rooms }.get() == [sockets[0].id, "news"])
        try await harness.shutdown()
    }

    @Test func emitsWithAcksTravelAsPacketsAndTheWiresAckResolvesThem() async throws {
        let harness = LiveSocketServerHarness()
        let namespace = harness.io.of("/site")
        let wire = RecordingWire(eventLoop: harness.group.next(), renders: NIOLockedValueBox(0))
        let socket = try await connect(wire, to: namespace)
        let answer = NIOLockedValueBox<Result<[JSONValue], AckError>?>(nil)

        socket.emit("question", [.string("ready?")], timeout: .seconds(30)) { result in answer.withLockedValue { $0 = result } }
        try await socket.eventLoop.submit {}.get()
        guard case .event(_, let ackID?, "question", [.string("ready?")])? = wire.packets.last else {
            Issue.record("the wire did not get the event with an ack ID: \(wire.packets)")
            return
        }
        try await socket.eventLoop.submit { socket.receive(.ack(namespace: "/site", ackID: ackID, arguments: [.bool(true)])) }.get()

        #expect(answer.withLockedValue { $0 }.map { (try? $0.get()) ?? [] } == [.bool(true)])
        try await harness.shutdown()
    }

    @Test func clientEventsReachHandlersAndEndedConnectionsLeaveTheNamespace() async throws {
        let harness = LiveSocketServerHarness()
        let namespace = harness.io.of("/site")
        let heard = NIOLockedValueBox<[JSONValue]>([])
        let reasons = NIOLockedValueBox<[DisconnectReason]>([])
        namespace.onConnection { socket in
            socket.on("hello") { _, arguments, _ in heard.withLockedValue { $0 += arguments } }
            socket.onDisconnect { _, reason in reasons.withLockedValue { $0.append(reason) } }
        }
        let wire = RecordingWire(eventLoop: harness.group.next(), renders: NIOLockedValueBox(0))
        let socket = try await connect(wire, to: namespace)

        try await socket.eventLoop.submit {
            socket.receive(.event(namespace: "/site", ackID: nil, name: "hello", arguments: [.string("there")]))
            socket.connectionEnded(.transportClose)
        }.get()

        #expect(heard.withLockedValue { $0 } == [.string("there")])
        #expect(reasons.withLockedValue { $0 } == [.transportClose])
        #expect(namespace.localSocketCount == 0)
        try await harness.shutdown()
    }

    @Test func refusedClientGetsTheMiddlewaresErrorAndAClosedWireIsNeverConnected() async throws {
        let harness = LiveSocketServerHarness()
        let refusing = harness.io.of("/closed")
        refusing.use { _ in throw ConnectError("Authentication failed") }
        let wire = RecordingWire(eventLoop: harness.group.next(), renders: NIOLockedValueBox(0))
        let refused = await admission(of: wire, to: refusing)
        #expect(refused.failureMessage == "Authentication failed")

        let open = harness.io.of("/open")
        let (gate, opener) = AsyncStream<Void>.makeStream()
        open.use { socket in
            guard socket.handshake.url == "/wait" else { return }
            for await _ in gate { break }
        }
        let leaving = RecordingWire(eventLoop: harness.group.next(), renders: NIOLockedValueBox(0))
        async let outcome = admission(of: leaving, to: open, url: "/wait")
        leaving.isOpen = false
        opener.yield()
        let sentinel = RecordingWire(eventLoop: harness.group.next(), renders: NIOLockedValueBox(0))
        _ = try await connect(sentinel, to: open)

        #expect(await outcome.failureMessage == Namespace.closedDuringAdmission.message)
        #expect(open.localSocketCount == 1, "a client that left during admission was connected")
        try await harness.shutdown()
    }

    private func connect(_ wire: RecordingWire, to namespace: Namespace) async throws -> Socket {
        try await admission(of: wire, to: namespace).get()
    }

    private func admission(of wire: RecordingWire, to namespace: Namespace, url: String = "/plain") async -> Result<Socket, ConnectError> {
        let handshake = SocketHandshake(query: [:], headers: [:], address: "127.0.0.1", url: url, issued: 0)
        return await withCheckedContinuation { continuation in
            namespace.connect(handshake, over: wire) { continuation.resume(returning: $0) }
        }
    }
}

extension Result where Failure == ConnectError {
    fileprivate var failureMessage: String? {
        if case .failure(let error) = self { error.message } else { nil }
    }
}

/// A wire that records what its socket sends and renders broadcasts as `name args`.
private final class RecordingWire: SocketWire, @unchecked Sendable {
    let eventLoop: any EventLoop
    let transportName = "recording"
    private let renders: NIOLockedValueBox<Int>
    private let state = NIOLockedValueBox<(packets: [SocketPacket], rendered: [String], open: Bool)>(([], [], true))

    init(eventLoop: any EventLoop, renders: NIOLockedValueBox<Int>) {
        self.eventLoop = eventLoop
        self.renders = renders
    }

    var isOpen: Bool {
        get { state.withLockedValue { $0.open } }
        set { state.withLockedValue { $0.open = newValue } }
    }
    var packets: [SocketPacket] { state.withLockedValue { $0.packets } }
    var rendered: [String] { state.withLockedValue { $0.rendered } }

    func send(_ packet: SocketPacket, of socket: Socket) {
        state.withLockedValue { $0.packets.append(packet) }
    }

    func deliver(_ broadcast: PreparedBroadcast, to socket: Socket) {
        let buffer = broadcast.rendering("recording") { event in
            renders.withLockedValue { $0 += 1 }
            return ByteBuffer(string: "\(event.name) \(JSONValue.array(event.arguments).jsonString)")
        }
        guard let buffer else { return }
        state.withLockedValue { $0.rendered.append(String(buffer: buffer)) }
    }

    func socketLeft(_ socket: Socket) {}

    func close() {
        isOpen = false
    }
}
