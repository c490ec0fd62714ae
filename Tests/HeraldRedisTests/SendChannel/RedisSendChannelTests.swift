import Logging
import NIOConcurrencyHelpers
import NIOPosix
import Testing

@testable import HeraldRedis

@Suite(.timeLimit(.minutes(1)))
struct RedisSendChannelTests {
    /// One Herald instance's consumer, recording what it was handed.
    private final class Consumer: Sendable {
        let channel: RedisSendChannel
        let received: NIOLockedValueBox<[String]>
        let task: Task<Void, Never>

        init(
            _ id: String,
            server: RedisServerProcess,
            client: RedisClient,
            leaseTime: Duration = .milliseconds(800),
            renewInterval: Duration = .milliseconds(200)
        ) throws {
            let configuration = try RedisConfiguration(url: server.url)
            let channel = try RedisSendChannel(
                client: client,
                configuration: configuration,
                instanceID: id,
                leaseTime: leaseTime,
                renewInterval: renewInterval,
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                logger: Logger(label: "test")
            )
            let received = NIOLockedValueBox<[String]>([])
            self.channel = channel
            self.received = received
            task = Task {
                await channel.run { payload in received.withLockedValue { $0.append(String(decoding: payload, as: UTF8.self)) } }
            }
        }

        var messages: [String] { received.withLockedValue { $0 } }
    }

    private func waitUntil(_ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !(try await condition()) {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Publishes until the leader's subscription is in place (PUBLISH answers how many subscribers got it).
    private func publish(_ client: RedisClient, _ text: String) async throws -> Int {
        try await client.send(["PUBLISH", RedisSendChannel.channel, text]).int ?? 0
    }

    @Test func twoInstancesHandEachPublishedMessageOnOnceInTotal() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        let client = try RedisClient(configuration: try RedisConfiguration(url: server.url))
        try await client.waitUntilConnected(timeout: .seconds(5))
        // A lease far longer than any stall of a busy machine: leadership changes here only by retire(), so "one
        // leader, in publish order" cannot be broken by a renewal that came late.
        let consumers = [
            try Consumer("a", server: server, client: client, leaseTime: .seconds(30)),
            try Consumer("b", server: server, client: client, leaseTime: .seconds(30)),
        ]
        try await waitUntil { try await client.send(["PUBSUB", "NUMSUB", RedisSendChannel.channel]).array?.last?.int == 1 }
        for number in 0..<20 {
            #expect(try await publish(client, "m\(number)") == 1)
        }
        // A sentinel published last: once it is handed on, any duplicate of the 20 would have been handed on too.
        #expect(try await publish(client, "sentinel") == 1)
        try await waitUntil { consumers.contains { $0.messages.contains("sentinel") } }
        let all = consumers.flatMap(\.messages).filter { $0 != "sentinel" }
        #expect(all.count == 20)
        #expect(Set(all) == Set((0..<20).map { "m\($0)" }))
        #expect(consumers.contains { $0.messages == (0..<20).map { "m\($0)" } + ["sentinel"] }, "one leader, in publish order")

        let leader = try #require(consumers.first { !$0.messages.isEmpty })
        let follower = try #require(consumers.first { $0 !== leader })
        await leader.channel.retire()
        try await waitUntil { follower.channel.lease.isHeld }
        try await waitUntil { try await publish(client, "after handover") == 1 }
        try await waitUntil { follower.messages.contains("after handover") }
        #expect(!leader.messages.contains("after handover"))
        for consumer in consumers {
            consumer.task.cancel()
            await consumer.task.value
            await consumer.channel.close()
        }
        await client.close()
    }

    @Test func aLeaderCutOffFromRedisStopsBeforeTheNextOneStartsSoNoMessageGoesOutTwice() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        let client = try RedisClient(configuration: try RedisConfiguration(url: server.url))
        let cutOff = try RedisClient(configuration: try RedisConfiguration(url: server.url))
        try await client.waitUntilConnected(timeout: .seconds(5))
        try await cutOff.waitUntilConnected(timeout: .seconds(5))
        // Renewing late in its lease, the first leader notices the loss long after the lease ran out: only its
        // own count of the lease keeps it from handing on what the next leader also receives.
        let first = try Consumer("a", server: server, client: cutOff, renewInterval: .milliseconds(700))
        try await waitUntil { first.channel.lease.isHeld }
        // The first leader hands on messages before anybody competes for the lease (on a busy machine a late
        // renewal could otherwise lose it to the second before it handled any).
        var number = 0
        try await waitUntil {
            _ = try await publish(client, "m\(number)")
            number += 1
            return !first.messages.isEmpty
        }
        let second = try Consumer("b", server: server, client: client, renewInterval: .milliseconds(50))
        try await waitUntil { try await client.send(["PUBSUB", "NUMSUB", RedisSendChannel.channel]).array?.last?.int == 1 }
        // The first leader can no longer renew, but its subscription still receives every message.
        await cutOff.close()
        let deadline = ContinuousClock.now + .seconds(10)
        while !second.channel.lease.isHeld, ContinuousClock.now < deadline {
            _ = try await publish(client, "m\(number)")
            number += 1
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(second.channel.lease.isHeld, "the second instance should take over the lease")
        // Holding the lease comes before its subscription is in place: it counts from a message it handed on.
        try await waitUntil {
            _ = try await publish(client, "m\(number)")
            number += 1
            return second.messages.contains("m\(number - 1)")
        }
        for _ in 0..<20 {
            _ = try await publish(client, "m\(number)")
            number += 1
        }
        try await waitUntil { second.messages.contains("m\(number - 1)") }
        #expect(Set(first.messages).isDisjoint(with: second.messages), "a message went out twice")
        #expect(!first.messages.isEmpty, "the first leader handled nothing before it was cut off")
        #expect(second.messages.count >= 20)
        for consumer in [first, second] {
            consumer.task.cancel()
            await consumer.task.value
            await consumer.channel.close()
        }
        await client.close()
    }
}
