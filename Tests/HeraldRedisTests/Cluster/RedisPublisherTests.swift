import Logging
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import HeraldRedis

extension RedisTests {
    @Suite struct Publisher {
        private static func dropped(_ metrics: CountingMetrics, _ reason: DroppedMessages.Reason) -> Int64 {
            metrics.total(RedisMetricNames.droppedMessages, [("buffer", "test"), ("reason", reason.rawValue)])
        }

        private static func makePublisher(
            _ client: RedisClient,
            maxBufferedBytes: Int = 1 << 20,
            metrics: CountingMetrics = CountingMetrics(),
            logs: CapturedLogs = CapturedLogs()
        ) -> RedisPublisher {
            RedisPublisher(
                client: client,
                maxBufferedBytes: maxBufferedBytes,
                drops: DroppedMessages(buffer: "test", factory: metrics, logger: logs.logger())
            )
        }

        private static func subscribe(_ server: RedisServerProcess, to channel: String) async throws -> (
            RedisSubscriber, Subscriber.Inbox
        ) {
            let inbox = Subscriber.Inbox()
            let subscriber = try RedisSubscriber(configuration: testConfiguration(for: server)) { inbox.receive($0) }
            try await subscriber.waitUntilConnected(timeout: .seconds(5))
            try await subscriber.subscribe([channel])
            return (subscriber, inbox)
        }

        @Test func publishesReachSubscribersInTheOrderTheyWereHandedOver() async throws {
            try await withRedis { server, client in
                let (subscriber, inbox) = try await Self.subscribe(server, to: "ordered")
                let metrics = CountingMetrics()
                let publisher = Self.makePublisher(client, metrics: metrics)
                for number in 0..<2_000 {
                    publisher.publish("m\(number)", on: "ordered")
                }
                await publisher.publishAndWait("last", on: "ordered")
                #expect(await eventually { inbox.messages.count >= 2_001 })
                #expect(inbox.messages.map(\.text) == (0..<2_000).map { "m\($0)" } + ["last"])
                #expect(Self.dropped(metrics, .bufferFull) == 0 && Self.dropped(metrics, .redisUnavailable) == 0)
                await publisher.close()
                await subscriber.close()
            }
        }

        /// A message published by another connection after `publishAndWait` returned is processed by Redis later,
        /// so every subscriber gets it after the awaited one: the wait ended only once Redis had taken the message.
        @Test func publishAndWaitReturnsOnlyOnceRedisTookTheMessage() async throws {
            try await withRedis { server, client in
                let (subscriber, inbox) = try await Self.subscribe(server, to: "acked")
                let other = try RedisClient(configuration: testConfiguration(for: server))
                try await other.waitUntilConnected(timeout: .seconds(5))
                let publisher = Self.makePublisher(client)
                var expected: [String] = []
                for number in 0..<200 {
                    await publisher.publishAndWait("m\(number)", on: "acked")
                    _ = try await other.send(["PUBLISH", "acked", "sentinel\(number)"])
                    expected += ["m\(number)", "sentinel\(number)"]
                }
                #expect(await eventually { inbox.messages.count >= expected.count })
                #expect(inbox.messages.map(\.text) == expected)
                await publisher.close()
                await other.close()
                await subscriber.close()
            }
        }

        /// Against a server that takes commands but never answers, the buffer fills: what nobody waits for is dropped
        /// and counted with one warning for the whole burst, while a waiting publish is held, never dropped for space.
        /// When the connection goes, everything in flight counts as lost to Redis and the waiter is released.
        @Test func aFullBufferDropsAndCountsWhatNobodyWaitsForWithOneWarningPerBurst() async throws {
            let server = try await ScriptedRESPServer.start { read in read == 0 ? "+PONG\r\n" : "" }
            var configuration = RedisConfiguration(port: server.port)
            configuration.commandTimeout = .seconds(60)
            configuration.reconnectBackoff = RedisReconnectBackoff(initialDelay: .seconds(30), maximumDelay: .seconds(30))
            let client = try RedisClient(configuration: configuration)
            try await client.waitUntilConnected(timeout: .seconds(5))
            let metrics = CountingMetrics()
            let logs = CapturedLogs()
            let publisher = Self.makePublisher(client, maxBufferedBytes: 10_000, metrics: metrics, logs: logs)
            let message = String(repeating: "x", count: 999)
            for _ in 0..<100 {
                publisher.publish(message, on: "c")
            }
            let released = NIOLockedValueBox(false)
            let waited = publisher.publishAcknowledged(message, on: "c")
            waited.whenComplete { _ in released.withLockedValue { $0 = true } }
            // Handing over runs on the client's event loop in call order: once this runs, all of it was handled.
            try await client.eventLoop.submit {}.get()

            #expect(Self.dropped(metrics, .bufferFull) == 90)
            #expect(!released.withLockedValue { $0 }, "a publish somebody waits for was dropped for space")
            #expect(logs.lines.filter { $0.level == .warning }.count == 1)

            try await server.stop()
            try await waited.get()
            #expect(Self.dropped(metrics, .redisUnavailable) == 11)
            #expect(Self.dropped(metrics, .bufferFull) == 90)
            #expect(logs.lines.filter { $0.level == .warning }.count == 1, "one burst, one warning")
            await publisher.close()
            await client.close()
        }

        @Test func closeReturnsOnceEverythingHandedOverWasPublishedAndSendsNothingAfterwards() async throws {
            try await withRedis { server, client in
                let (subscriber, inbox) = try await Self.subscribe(server, to: "closing")
                let other = try RedisClient(configuration: testConfiguration(for: server))
                try await other.waitUntilConnected(timeout: .seconds(5))
                let metrics = CountingMetrics()
                let publisher = Self.makePublisher(client, metrics: metrics)
                for number in 0..<500 {
                    publisher.publish("m\(number)", on: "closing")
                }
                await publisher.close()
                publisher.publish("after close", on: "closing")
                try await client.eventLoop.submit {}.get()
                _ = try await other.send(["PUBLISH", "closing", "sentinel"])
                #expect(await eventually { inbox.messages.last?.text == "sentinel" })
                #expect(inbox.messages.map(\.text) == (0..<500).map { "m\($0)" } + ["sentinel"])
                #expect(Self.dropped(metrics, .redisUnavailable) == 1)
                await other.close()
                await subscriber.close()
            }
        }

        /// Publishing does not wait for one reply before sending the next PUBLISH: while Redis holds every write
        /// (`CLIENT PAUSE … WRITE`), all of the messages reach its input buffer for the publisher's connection; one
        /// awaited round trip at a time would leave a single one there. Observed, not timed, so a loaded machine cannot
        /// fail it.
        @Test func publishesAreInFlightTogetherRatherThanOneRoundTripAtATime() async throws {
            try await withRedis { server, client in
                let other = try RedisClient(configuration: testConfiguration(for: server))
                try await other.waitUntilConnected(timeout: .seconds(5))
                _ = try await client.send(["CLIENT", "SETNAME", "publisher"])
                let count = 50
                let payload = String(repeating: "p", count: 200)
                _ = try await other.send(["CLIENT", "PAUSE", "20000", "WRITE"])
                let publisher = Self.makePublisher(client, maxBufferedBytes: 64 << 20)
                for _ in 0..<count {
                    publisher.publish(payload, on: "bench")
                }
                #expect(
                    await eventually(timeout: .seconds(10)) {
                        (try? await Self.queuedInputBytes(of: "publisher", on: other)) ?? 0 >= count * payload.utf8.count
                    },
                    "every PUBLISH waits in Redis's input buffer at once"
                )
                _ = try await other.send(["CLIENT", "UNPAUSE"])
                await publisher.publishAndWait(payload, on: "bench")
                await publisher.close()
                await other.close()
            }
        }

        /// The bytes Redis received from the connection named `name` and has not executed yet (`CLIENT LIST` `qbuf`);
        /// 0 while no such connection is listed.
        private static func queuedInputBytes(of name: String, on client: RedisClient) async throws -> Int {
            let list = try await client.send(["CLIENT", "LIST"]).string ?? ""
            let line = list.split(whereSeparator: \.isNewline).first { $0.contains(" name=\(name) ") }
            let field = line?.split(separator: " ").first { $0.hasPrefix("qbuf=") }
            return field.flatMap { Int($0.dropFirst("qbuf=".count)) } ?? 0
        }
    }
}
