import HeraldRedis
import NIOConcurrencyHelpers
import Testing

extension RedisTests {
    @Suite struct Subscriber {
        /// A subscriber whose messages are collected for the test to inspect.
        final class Inbox: Sendable {
            private let box = NIOLockedValueBox<[RedisPubSubMessage]>([])

            var messages: [RedisPubSubMessage] {
                box.withLockedValue { $0 }
            }

            func receive(_ message: RedisPubSubMessage) {
                box.withLockedValue { $0.append(message) }
            }
        }

        private func makeSubscriber(_ server: RedisServerProcess, inbox: Inbox) throws -> RedisSubscriber {
            try RedisSubscriber(configuration: testConfiguration(for: server), pingInterval: .seconds(1)) { inbox.receive($0) }
        }

        @Test func publishedMessagesArriveInOrder() async throws {
            try await withRedis { server, client in
                let inbox = Inbox()
                let subscriber = try makeSubscriber(server, inbox: inbox)
                try await subscriber.waitUntilConnected(timeout: .seconds(5))
                try await subscriber.subscribe(["news", "alerts", "news"])

                #expect(try await client.send(["PUBLISH", "news", "first"]) == .integer(1))
                _ = try await client.send(bytes: [Array(utf8: "PUBLISH"), Array(utf8: "alerts"), [0, 255, 13, 10]])
                #expect(try await client.send(["PUBLISH", "news", "second"]) == .integer(1))
                #expect(try await client.send(["PUBLISH", "elsewhere", "ignored"]) == .integer(0))

                #expect(await eventually { inbox.messages.count == 3 })
                #expect(
                    inbox.messages == [
                        RedisPubSubMessage(channel: "news", payload: Array(utf8: "first")),
                        RedisPubSubMessage(channel: "alerts", payload: [0, 255, 13, 10]),
                        RedisPubSubMessage(channel: "news", payload: Array(utf8: "second")),
                    ]
                )
                await subscriber.close()
            }
        }

        @Test func unsubscribedChannelsStopDelivering() async throws {
            try await withRedis { server, client in
                let inbox = Inbox()
                let subscriber = try makeSubscriber(server, inbox: inbox)
                try await subscriber.waitUntilConnected(timeout: .seconds(5))
                try await subscriber.subscribe(["a", "b"])
                try await subscriber.unsubscribe(["b"])
                #expect(try await client.send(["PUBLISH", "b", "x"]) == .integer(0))
                #expect(try await client.send(["PUBLISH", "a", "y"]) == .integer(1))
                #expect(await eventually { inbox.messages.map(\.text) == ["y"] })
                await subscriber.close()
            }
        }

        @Test func subscriptionsComeBackAfterARestart() async throws {
            try await withRedis { server, client in
                let inbox = Inbox()
                let subscriber = try makeSubscriber(server, inbox: inbox)
                try await subscriber.waitUntilConnected(timeout: .seconds(5))
                try await subscriber.subscribe(["durable"])

                server.kill()
                #expect(await eventually { !subscriber.isConnected })
                #expect(await redisError { try await subscriber.subscribe(["late"]) } == .unavailable)
                try await server.restart()
                try await subscriber.waitUntilConnected(timeout: .seconds(5))
                try await client.waitUntilConnected(timeout: .seconds(5))

                #expect(await eventually { (try? await client.send(["PUBLISH", "durable", "one"])) == .integer(1) })
                #expect(try await client.send(["PUBLISH", "late", "two"]) == .integer(1))
                #expect(await eventually { inbox.messages.map(\.text).suffix(2) == ["one", "two"] })
                await subscriber.close()
            }
        }
    }
}
