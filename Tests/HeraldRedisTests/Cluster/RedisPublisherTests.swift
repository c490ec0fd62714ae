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

        /// Throughput of publishing `count` messages one awaited round trip at a time (how the cluster published
        /// before) and pipelined; both numbers are printed for the record.
        @Test func pipelinedPublishingOutpacesOneRoundTripAtATime() async throws {
            try await withRedis { _, client in
                let count = 5_000
                let payload = String(repeating: "p", count: 200)
                let sequentialStart = ContinuousClock.now
                for _ in 0..<count {
                    _ = try await client.send(["PUBLISH", "bench", payload])
                }
                let sequential = ContinuousClock.now - sequentialStart

                let publisher = Self.makePublisher(client, maxBufferedBytes: 64 << 20)
                let pipelinedStart = ContinuousClock.now
                for _ in 0..<(count - 1) {
                    publisher.publish(payload, on: "bench")
                }
                await publisher.publishAndWait(payload, on: "bench")
                let pipelined = ContinuousClock.now - pipelinedStart
                await publisher.close()

                let rate = { (elapsed: Duration) in
                    Int(Double(count) / (Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds)))
                }
                print(
                    "PUBLISH x\(count) of \(payload.count) bytes: one round trip each \(sequential) (\(rate(sequential))/s), pipelined \(pipelined) (\(rate(pipelined))/s)"
                )
                #expect(pipelined < sequential)
            }
        }
    }
}
