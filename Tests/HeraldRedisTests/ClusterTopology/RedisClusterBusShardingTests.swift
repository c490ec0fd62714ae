import Herald
import Logging
import NIOConcurrencyHelpers
import NIOPosix
import Testing

@testable import HeraldRedis

extension RedisTests {
    /// Herald's bus on a Redis Cluster uses sharded channels named with the site's hash tag.
    @Suite struct ClusterBusSharding {
        @Test func siteChannelsLiveOnTheSiteShardAndEventsReachOtherInstances() async throws {
            let cluster = try await RedisClusterProcess.start()
            defer { cluster.stop() }
            let configuration = try RedisConfiguration(url: cluster.url)
            let client = try RedisClient(configuration: configuration)
            try await client.waitUntilConnected(timeout: .seconds(10))
            let sender = try RedisCluster(
                client: client,
                configuration: configuration,
                instanceID: "sender",
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                logger: Logger(label: "test")
            )
            let receiver = try RedisCluster(
                client: client,
                configuration: configuration,
                instanceID: "receiver",
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                logger: Logger(label: "test")
            )
            let events = NIOLockedValueBox<[FiredEvent]>([])
            receiver.onFiredEvent { event in events.withLockedValue { $0.append(event) } }
            await receiver.attachEvents()
            await receiver.attach(site: "shop")

            let owner = try #require(try cluster.masterPort(of: "herald:{shop}:bc"))
            let subscribed = try cluster.cli(port: owner, ["PUBSUB", "SHARDCHANNELS"])
            #expect(subscribed.contains("herald:{shop}:bc"))
            #expect(subscribed.contains("herald:{shop}:dv"))

            await sender.publish(FiredEvent(event: "deploy", data: nil))
            #expect(await eventually { events.withLockedValue { $0 }.map(\.event) == ["deploy"] })

            await sender.close()
            await receiver.close()
            await client.close()
        }
    }
}
