import Logging
import NIOPosix
import SocketIO
import Testing

@testable import HeraldRedis

extension RedisTests {
    @Suite struct ClusterAdapter {
        /// `broadcastAndWait` returns only once Redis took the broadcast: a message another connection publishes
        /// afterwards reaches every subscriber of the site's channel after it, every time.
        @Test func broadcastAndWaitReturnsOnceRedisTookTheBroadcast() async throws {
            try await withRedis { server, client in
                let cluster = try RedisCluster(
                    client: client,
                    configuration: testConfiguration(for: server),
                    instanceID: "sender",
                    eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                    logger: Logger(label: "test")
                )
                let channel = RedisCluster.broadcastChannel("/site")
                let inbox = Subscriber.Inbox()
                let subscriber = try RedisSubscriber(configuration: testConfiguration(for: server)) { inbox.receive($0) }
                try await subscriber.waitUntilConnected(timeout: .seconds(5))
                try await subscriber.subscribe([channel])
                let other = try RedisClient(configuration: testConfiguration(for: server))
                try await other.waitUntilConnected(timeout: .seconds(5))

                let adapter = cluster.makeAdapter(namespace: "/site")
                var expected: [String] = []
                for number in 0..<100 {
                    let packet = SocketPacket.event(namespace: "/site", ackID: nil, name: "news", arguments: [.int(Int64(number))])
                    await adapter.broadcastAndWait(packet, options: BroadcastOptions(rooms: ["news"]))
                    _ = try await other.send(["PUBLISH", channel, "sentinel\(number)"])
                    expected += ["broadcast\(number)", "sentinel\(number)"]
                }
                #expect(await eventually { inbox.messages.count >= expected.count })
                let seen = inbox.messages.map { message in
                    switch ClusterMessage.decode(message.text) {
                    case .broadcast(_, _, let text, _, _, _): "broadcast" + (text.split(separator: ",").last?.dropLast() ?? "")
                    default: message.text
                    }
                }
                #expect(seen == expected)
                await cluster.close()
                await other.close()
                await subscriber.close()
            }
        }
    }
}
