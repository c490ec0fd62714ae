import Dispatch
import NIOCore
import Testing

@testable import EngineIO
@testable import SocketIO

/// Set once from a task, read from the test.
private actor Flag {
    private(set) var isRaised = false

    func raise() { isRaised = true }
}

@Suite struct SocketServerTests {
    @Test func v5ConnectAnswersWithTheSocketID() throws {
        let harness = SocketServerHarness()
        let connected = Box<Socket?>(nil)
        harness.io.of("/").onConnection { connected.value = $0 }
        let client = try harness.connectClient(version: .v4)
        try client.send("0")
        let socket = try #require(connected.value)
        #expect(try client.receiveTexts() == [#"0{"sid":"\#(socket.id)"}"#])
        #expect(socket.rooms == [socket.id])
    }

    @Test func unknownNamespaceIsRefused() throws {
        let harness = SocketServerHarness()
        let client = try harness.connectClient(version: .v4)
        try client.send("0/nope,")
        #expect(try client.receiveTexts() == [#"4/nope,{"message":"Invalid namespace"}"#])
    }

    @Test func v4ClientIsJoinedToRootAtOnceAndMayCarryQueryOnTheNamespace() throws {
        let harness = SocketServerHarness()
        let custom = Box<Socket?>(nil)
        harness.io.of("/site").onConnection { custom.value = $0 }
        let client = try harness.connectClient(version: .v3)
        #expect(try client.receiveTexts() == ["0"])
        try client.send("0/site?token=abc&deviceId=d1,")
        let socket = try #require(custom.value)
        #expect(socket.handshake.query["token"] == "abc")
        #expect(socket.handshake.query["deviceId"] == "d1")
        #expect(socket.handshake.query["EIO"] == "3")
        #expect(try client.receiveTexts() == ["0/site,"])
    }

    @Test func v4RefusalIsAPlainStringWithoutData() throws {
        let harness = SocketServerHarness()
        let client = try harness.connectClient(version: .v3)
        _ = try client.receiveTexts()
        try client.send("0/missing,")
        #expect(try client.receiveTexts() == [#"4/missing,"Invalid namespace""#])
    }

    @Test func middlewareRefusalCarriesMessageAndData() async throws {
        let harness = LiveSocketServerHarness()
        harness.io.of("/private").use { _ in throw ConnectError("Authentication failed", data: ["status": 401]) }
        let session = try await harness.connectClient()
        try await harness.send("0/private,", on: session)
        let texts = try await harness.receiveTexts(on: session)
        #expect(texts.map(Self.normalized) == [Self.normalized(#"4/private,{"data":{"status":401},"message":"Authentication failed"}"#)])
        try await harness.shutdown()
    }

    @Test func middlewareRoomsApplyOnAdmission() async throws {
        let harness = LiveSocketServerHarness()
        let namespace = harness.io.of("/rooms")
        namespace.use { socket in socket.join(["a", "b"]) }
        let session = try await harness.connectClient()
        try await harness.send(#"0/rooms,{"token":"t"}"#, on: session)
        let connectAnswer = try await harness.receiveTexts(on: session)
        #expect(connectAnswer.first?.hasPrefix(#"0/rooms,{"sid":"#) == true)
        namespace.to("b").emit("news", ["hello"])
        #expect(try await harness.receiveTexts(on: session) == [#"2/rooms,["news","hello"]"#])
        let socket = try #require(namespace.localSockets.first)
        #expect(socket.handshake.auth == ["token": "t"])
        try await harness.shutdown()
    }

    @Test func emitAndWaitReturnsWithTheEventQueuedForEachSelectedSocket() async throws {
        let harness = LiveSocketServerHarness()
        let namespace = harness.io.of("/wait")
        namespace.use { socket in socket.join(socket.handshake.auth["room"]?.stringValue.map { [$0] } ?? []) }
        let inRoom = try await harness.connectClient()
        let outside = try await harness.connectClient()
        try await harness.send(#"0/wait,{"room":"r"}"#, on: inRoom)
        try await harness.send(#"0/wait,{}"#, on: outside)
        _ = try await harness.receiveTexts(on: inRoom)
        _ = try await harness.receiveTexts(on: outside)
        let gate = DispatchSemaphore(value: 0)
        inRoom.eventLoop.execute { gate.wait() }
        let returned = Flag()
        let emitting = Task {
            await namespace.to("r").emitAndWait("news", [1])
            await returned.raise()
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(await !returned.isRaised, "returned while the socket's event loop was blocked")
        gate.signal()
        await emitting.value
        let queued = try await inRoom.eventLoop.submit { inRoom.pollingQueueCount }.get()
        #expect(queued == 1)
        #expect(try await harness.receiveTexts(on: inRoom) == [#"2/wait,["news",1]"#])
        #expect(try await outside.eventLoop.submit { outside.pollingQueueCount }.get() == 0)
        try await harness.shutdown()
    }

    @Test func broadcastHonoursExceptAndReachesEachSocketOnce() throws {
        let harness = SocketServerHarness()
        let namespace = harness.io.of("/")
        let sockets = Box<[Socket]>([])
        namespace.onConnection { socket in
            socket.join(["room", "also"])
            sockets.value.append(socket)
        }
        let first = try harness.connectClient(version: .v4)
        let second = try harness.connectClient(version: .v4)
        try first.send("0")
        try second.send("0")
        _ = try first.receiveTexts()
        _ = try second.receiveTexts()
        namespace.to("room").to("also").except(sockets.value[1].id).emit("ping", [1])
        harness.loop.run()
        #expect(try first.receiveTexts() == [#"2["ping",1]"#])
        #expect(try second.receiveTexts() == [])
    }

    @Test func clientAckRequestIsAnswered() throws {
        let harness = SocketServerHarness()
        harness.io.of("/").onConnection { socket in
            socket.on("add") { _, arguments, ack in
                let sum = arguments.reduce(Int64(0)) { total, value in
                    if case .int(let number) = value { return total + number }
                    return total
                }
                ack?.send([.int(sum)])
            }
        }
        let client = try harness.connectClient(version: .v4)
        try client.send("0")
        _ = try client.receiveTexts()
        try client.send(#"27["add",1,2,3]"#)
        #expect(try client.receiveTexts() == ["37[6]"])
    }

    @Test func serverAckRequestResolvesOrTimesOut() throws {
        let harness = SocketServerHarness()
        let results = Box<[Result<[JSONValue], AckError>]>([])
        harness.io.of("/").onConnection { socket in
            socket.emit("question", [], timeout: .seconds(1)) { results.value.append($0) }
            socket.emit("ignored", [], timeout: .seconds(1)) { results.value.append($0) }
        }
        let client = try harness.connectClient(version: .v4)
        try client.send("0")
        let texts = try client.receiveTexts()
        #expect(texts.dropFirst() == [#"20["question"]"#, #"21["ignored"]"#])
        try client.send(#"30["yes"]"#)
        #expect(results.value == [.success(["yes"])])
        harness.loop.advanceTime(by: .seconds(1))
        #expect(results.value == [.success(["yes"]), .failure(.timeout)])
    }

    @Test func connectTimeoutClosesAClientThatNeverJoins() throws {
        let harness = SocketServerHarness()
        let client = try harness.connectClient(version: .v4)
        harness.loop.advanceTime(by: .milliseconds(999))
        #expect(!client.isClosed)
        harness.loop.advanceTime(by: .milliseconds(1))
        #expect(client.isClosed)
    }

    @Test func malformedPacketClosesTheConnectionAndDisconnectsItsSockets() throws {
        let harness = SocketServerHarness()
        let reasons = Box<[DisconnectReason]>([])
        harness.io.of("/").onConnection { socket in
            socket.onDisconnect { _, reason in reasons.value.append(reason) }
        }
        let client = try harness.connectClient(version: .v4)
        try client.send("0")
        try client.send(#"2["message""#)
        #expect(client.isClosed)
        #expect(reasons.value == [.parseError])
    }

    @Test func clientDisconnectLeavesTheRoom() throws {
        let harness = SocketServerHarness()
        let namespace = harness.io.of("/")
        let reasons = Box<[DisconnectReason]>([])
        namespace.onConnection { socket in
            socket.join("room")
            socket.onDisconnect { _, reason in reasons.value.append(reason) }
        }
        let client = try harness.connectClient(version: .v4)
        try client.send("0")
        #expect(namespace.localSocketCount == 1)
        try client.send("1")
        #expect(reasons.value == [.clientNamespaceDisconnect])
        #expect(namespace.localSocketCount == 0)
        namespace.to("room").emit("after", [])
        harness.loop.run()
        #expect(!(try client.receiveTexts().contains { $0.contains("after") }))
    }

    @Test func binaryArgumentsRoundTripThroughEcho() throws {
        let harness = SocketServerHarness()
        harness.io.of("/").onConnection { socket in
            socket.on("echo") { socket, arguments, _ in socket.emit("echo", arguments) }
        }
        let client = try harness.connectClient(version: .v4)
        try client.send("0")
        _ = try client.receiveTexts()
        try client.send(#"51-["echo",{"_placeholder":true,"num":0}]"#)
        try client.sendBinary([9, 8, 7])
        let packets = try client.receive()
        #expect(
            packets == [.message(.text(#"51-["echo",{"_placeholder":true,"num":0}]"#)), .message(.binary(ByteBuffer(bytes: [9, 8, 7])))]
        )
    }

    /// Object key order is not significant in JSON; compare packets with their JSON re-serialised.
    static func normalized(_ text: String) -> String {
        guard let start = text.firstIndex(where: { $0 == "{" || $0 == "[" || $0 == "\"" }),
            let value = try? JSONValue(parsing: text[start...])
        else { return text }
        return String(text[..<start]) + sortedJSON(value)
    }

    private static func sortedJSON(_ value: JSONValue) -> String {
        switch value {
        case .object(let object):
            return "{" + object.keys.sorted().map { "\(JSONValue.string($0).jsonString):\(sortedJSON(object[$0]!))" }.joined(separator: ",")
                + "}"
        case .array(let array):
            return "[" + array.map(sortedJSON).joined(separator: ",") + "]"
        default:
            return value.jsonString
        }
    }
}

/// Mutable test state captured by `@Sendable` handlers; the embedded loop runs everything on the test's thread.
final class Box<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
