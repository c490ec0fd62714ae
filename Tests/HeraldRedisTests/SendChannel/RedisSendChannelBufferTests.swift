import Logging
import NIOConcurrencyHelpers
import NIOPosix
import Testing

@testable import HeraldRedis

extension RedisTests {
    @Suite struct SendChannelBuffer {
        /// A handler that records each message and holds the first until the test lets it go, so messages pile up.
        private final class HeldHandler: Sendable {
            let handled = NIOLockedValueBox<[String]>([])
            private let gate: AsyncStream<Void>
            private let opener: AsyncStream<Void>.Continuation

            init() {
                (gate, opener) = AsyncStream.makeStream()
            }

            func open() {
                opener.finish()
            }

            func handle(_ payload: [UInt8]) async {
                let first = handled.withLockedValue { list in
                    list.append(String(decoding: payload, as: UTF8.self))
                    return list.count == 1
                }
                if first {
                    for await _ in gate {}
                }
            }
        }

        @Test func messagesBeyondTheByteBoundAreDroppedCountedAndLoggedOncePerBurst() async throws {
            try await withRedis { server, client in
                let metrics = CountingMetrics()
                let logs = CapturedLogs()
                let channel = try RedisSendChannel(
                    client: client,
                    configuration: testConfiguration(for: server),
                    instanceID: "bounded",
                    leaseTime: .milliseconds(800),
                    renewInterval: .milliseconds(200),
                    eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                    maxBufferedBytes: 1_000,
                    metricsFactory: metrics,
                    logger: logs.logger()
                )
                let handler = HeldHandler()
                let running = Task { await channel.run { await handler.handle($0) } }
                #expect(
                    await eventually {
                        let subscribers = try? await client.send(["PUBSUB", "NUMSUB", RedisSendChannel.channel]).array?.last?.int
                        return channel.lease.isHeld && subscribers == 1
                    }
                )
                _ = try await client.send(["PUBLISH", RedisSendChannel.channel, "first"])
                #expect(await eventually { handler.handled.withLockedValue { $0 } == ["first"] })

                let large = (0..<10).map { "m\($0)" + String(repeating: "x", count: 298) }
                for message in large {
                    _ = try await client.send(["PUBLISH", RedisSendChannel.channel, message])
                }
                // 3 × 300 bytes fill the 1,000; this one fits the rest and, arriving last, proves all were seen.
                let sentinel = String(repeating: "s", count: 100)
                _ = try await client.send(["PUBLISH", RedisSendChannel.channel, sentinel])
                handler.open()
                #expect(await eventually { handler.handled.withLockedValue { $0 }.last == sentinel })

                #expect(handler.handled.withLockedValue { $0 } == ["first"] + large.prefix(3) + [sentinel])
                let dropped = metrics.total(
                    RedisMetricNames.droppedMessages,
                    [("buffer", "send_channel"), ("reason", "buffer_full")]
                )
                #expect(dropped == 7)
                let dropLines = logs.lines.filter { $0.message.hasPrefix("messages dropped") }
                #expect(dropLines.count == 1 && dropLines.first?.level == .warning)
                #expect(logs.lines.contains { $0.message.contains("after 7 were dropped") })

                running.cancel()
                await running.value
                await channel.close()
            }
        }
    }
}
