import NIOConcurrencyHelpers
import Testing

@testable import EngineIO
@testable import SocketIO

/// Connection state recovery as socket.io 4.6+ clients see it on the wire: `{sid, pid}` in the CONNECT answer, an
/// offset as the last argument of every event without an ack, and a returning client's missed events before the
/// CONNECT answer, once each and in order.
@Suite struct ConnectionStateRecoveryTests {
    /// A namespace `/site` with recovery whose middleware joins every socket to `news`.
    private func makeServer(maxEventsPerRoom: Int = 100) -> (LiveSocketServerHarness, Namespace) {
        let harness = LiveSocketServerHarness()
        let namespace = harness.io.of("/site")
        namespace.setRecovery(ConnectionStateRecovery(maxDisconnection: .seconds(60), maxEventsPerRoom: maxEventsPerRoom))
        namespace.use { socket in socket.join("news") }
        return (harness, namespace)
    }

    private struct Connection {
        let session: EngineSession
        let sid: String
        let pid: String?
        /// Texts that arrived before and with the CONNECT answer, the answer excluded.
        let before: [String]
    }

    private func connect(_ harness: LiveSocketServerHarness, auth: String = "") async throws -> Connection {
        let session = try await harness.connectClient()
        try await harness.send("0/site," + auth, on: session)
        var before: [String] = []
        for _ in 0..<20 {
            for text in try await harness.receiveTexts(on: session) {
                if text.hasPrefix("0/site,") {
                    let answer = try JSONValue(parsing: String(text.dropFirst("0/site,".count)))
                    return Connection(
                        session: session,
                        sid: answer["sid"]?.stringValue ?? "",
                        pid: answer["pid"]?.stringValue,
                        before: before
                    )
                }
                before.append(text)
            }
        }
        throw ConnectFailed()
    }

    private struct ConnectFailed: Error {}

    /// Drops the connection the way a lost network does (no DISCONNECT packet).
    private func drop(_ connection: Connection) async throws {
        try await connection.session.eventLoop.submit { connection.session.close(reason: .transportClose) }.get()
    }

    /// Broadcasts and waits until the local sockets were handed the event.
    private func broadcast(_ namespace: Namespace, to room: String, _ argument: String) async {
        await namespace.to(room).emitAndWait("e", [.string(argument)])
    }

    @Test func connectAnswerCarriesAPrivateSessionIDAndEventsCarryOffsets() async throws {
        let (harness, namespace) = makeServer()
        let client = try await connect(harness)
        #expect(!client.sid.isEmpty)
        #expect(client.pid?.isEmpty == false)
        #expect(client.pid != client.sid)
        await broadcast(namespace, to: "news", "one")
        #expect(try await harness.receiveTexts(on: client.session) == [#"2/site,["e","one","1"]"#])
        try await harness.shutdown()
    }

    @Test func aReturningClientGetsItsSocketBackAndTheEventsItMissedBeforeTheAnswer() async throws {
        let (harness, namespace) = makeServer()
        let first = try await connect(harness)
        await broadcast(namespace, to: "news", "one")
        #expect(try await harness.receiveTexts(on: first.session) == [#"2/site,["e","one","1"]"#])
        try await drop(first)
        await broadcast(namespace, to: "news", "two")
        await broadcast(namespace, to: "elsewhere", "not for it")
        await broadcast(namespace, to: "news", "three")
        let pid = try #require(first.pid)
        let second = try await connect(harness, auth: #"{"pid":"\#(pid)","offset":"1"}"#)
        #expect(second.sid == first.sid)
        #expect(second.pid == pid)
        #expect(second.before == [#"2/site,["e","two","2"]"#, #"2/site,["e","three","4"]"#])
        await broadcast(namespace, to: "news", "four")
        #expect(try await harness.receiveTexts(on: second.session) == [#"2/site,["e","four","5"]"#])
        try await harness.shutdown()
    }

    @Test func aSessionIsTakenBackOnlyOnce() async throws {
        let (harness, namespace) = makeServer()
        let first = try await connect(harness)
        await broadcast(namespace, to: "news", "one")
        _ = try await harness.receiveTexts(on: first.session)
        try await drop(first)
        let pid = try #require(first.pid)
        let second = try await connect(harness, auth: #"{"pid":"\#(pid)","offset":"1"}"#)
        #expect(second.sid == first.sid)
        try await second.session.eventLoop.submit { second.session.close(reason: .forcedClose) }.get()
        let third = try await connect(harness, auth: #"{"pid":"\#(pid)","offset":"0"}"#)
        #expect(third.sid == first.sid, "the second socket's lost connection keeps the session again")
        try await harness.shutdown()
    }

    @Test func anUnknownSessionGetsAFreshOneAndNothingReplayed() async throws {
        let (harness, namespace) = makeServer()
        await broadcast(namespace, to: "news", "before")
        let client = try await connect(harness, auth: #"{"pid":"nobody-has-this","offset":"0"}"#)
        #expect(client.before.isEmpty)
        #expect(client.pid != "nobody-has-this")
        await broadcast(namespace, to: "news", "after")
        #expect(try await harness.receiveTexts(on: client.session) == [#"2/site,["e","after","2"]"#])
        try await harness.shutdown()
    }

    @Test func malformedRecoveryFieldsAreIgnored() async throws {
        let (harness, _) = makeServer()
        for auth in [#"{"pid":"x","offset":"abc"}"#, #"{"pid":7,"offset":"1"}"#, #"{"pid":"x","offset":"99999999999999999999999"}"#] {
            let client = try await connect(harness, auth: auth)
            #expect(client.pid != "x")
            #expect(client.before.isEmpty)
        }
        try await harness.shutdown()
    }

    @Test func aClientThatLeftOnPurposeCannotBeRecovered() async throws {
        let (harness, namespace) = makeServer()
        let first = try await connect(harness)
        try await harness.send("1/site,", on: first.session)
        await broadcast(namespace, to: "news", "one")
        let pid = try #require(first.pid)
        let second = try await connect(harness, auth: #"{"pid":"\#(pid)","offset":"0"}"#)
        #expect(second.sid != first.sid)
        #expect(second.pid != pid)
        #expect(second.before.isEmpty)
        try await harness.shutdown()
    }

    @Test func aClientThatMissedMoreThanTheHistoryKeepsIsNotRecovered() async throws {
        let (harness, namespace) = makeServer(maxEventsPerRoom: 2)
        let first = try await connect(harness)
        try await drop(first)
        for number in 1...3 {
            await broadcast(namespace, to: "news", "\(number)")
        }
        let pid = try #require(first.pid)
        let second = try await connect(harness, auth: #"{"pid":"\#(pid)","offset":"0"}"#)
        #expect(second.pid != pid, "event 1 is gone, so the client must learn it was not recovered")
        #expect(second.before.isEmpty)
        await broadcast(namespace, to: "news", "4")
        #expect(try await harness.receiveTexts(on: second.session) == [#"2/site,["e","4","4"]"#])
        try await harness.shutdown()
    }

    @Test func aReturningClientTakesOverItsHalfOpenSocketAtOnce() async throws {
        let (harness, namespace) = makeServer()
        let reasons = NIOLockedValueBox<[DisconnectReason]>([])
        namespace.onConnection { socket in socket.onDisconnect { _, reason in reasons.withLockedValue { $0.append(reason) } } }
        let first = try await connect(harness)
        await broadcast(namespace, to: "news", "one")
        _ = try await harness.receiveTexts(on: first.session)
        let pid = try #require(first.pid)
        let second = try await connect(harness, auth: #"{"pid":"\#(pid)","offset":"1"}"#)
        #expect(second.sid == first.sid)
        #expect(reasons.withLockedValue { $0 } == [.transportClose])
        #expect(namespace.localSocketCount == 1)
        try await harness.shutdown()
    }

    @Test func theApplicationNeverSeesThePrivateSessionFieldsAndDirectEmitsCarryTheOffset() async throws {
        let (harness, namespace) = makeServer()
        let auths = NIOLockedValueBox<[[String: JSONValue]]>([])
        namespace.onConnection { socket in
            auths.withLockedValue { $0.append(socket.handshake.auth) }
            socket.emit("hello", [.string("text last")])
        }
        let first = try await connect(harness, auth: #"{"token":"t"}"#)
        #expect(try await harness.receiveTexts(on: first.session) == [#"2/site,["hello","text last","0"]"#])
        try await drop(first)
        let pid = try #require(first.pid)
        let second = try await connect(harness, auth: #"{"token":"t","pid":"\#(pid)","offset":"0"}"#)
        #expect(second.sid == first.sid)
        #expect(auths.withLockedValue { $0 } == [["token": .string("t")], ["token": .string("t")]])
        try await harness.shutdown()
    }
}
