import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Asks sentinels where the master is: `SENTINEL get-master-addr-by-name`, one short-lived connection per question.
///
/// The sentinels are asked in turn, beginning with the one that answered last; one that is down, slow, answers
/// something that is not RESP or an address, or does not know the master, is skipped with its reason. Only when
/// none answers does the question fail, with ``RedisSentinelError/noMaster(name:reasons:)`` listing why.
struct RedisSentinelQuery: Sendable {
    private let configuration: RedisConfiguration
    private let sentinel: RedisSentinelConfiguration
    private let eventLoop: any EventLoop
    private let firstToAsk = NIOLockedValueBox(0)

    /// A query for the master of `sentinel`, with the timeouts of `configuration`, run on `eventLoop`.
    init(configuration: RedisConfiguration, sentinel: RedisSentinelConfiguration, eventLoop: any EventLoop) {
        self.configuration = configuration
        self.sentinel = sentinel
        self.eventLoop = eventLoop
    }

    /// The master's address as the first sentinel that knows it says.
    func masterAddress() -> EventLoopFuture<RedisNodeAddress> {
        let first = firstToAsk.withLockedValue { $0 }
        let order = (0..<sentinel.sentinels.count).map { (first + $0) % sentinel.sentinels.count }
        return ask(order[...], reasons: [])
    }

    private func ask(_ order: ArraySlice<Int>, reasons: [String]) -> EventLoopFuture<RedisNodeAddress> {
        guard let index = order.first else {
            return eventLoop.makeFailedFuture(RedisSentinelError.noMaster(name: sentinel.masterName, reasons: reasons))
        }
        let address = sentinel.sentinels[index]
        return ask(address).map { master in
            firstToAsk.withLockedValue { $0 = index }
            return master
        }.flatMapError { error in
            ask(order.dropFirst(), reasons: reasons + ["\(address): \(Self.describe(error))"])
        }
    }

    private func ask(_ address: RedisNodeAddress) -> EventLoopFuture<RedisNodeAddress> {
        let authentication = sentinel.password.map { password in
            [RedisCommand("AUTH", [sentinel.username, password].compactMap { $0 })]
        }
        let commands = (authentication ?? []) + [RedisCommand("SENTINEL", ["get-master-addr-by-name", sentinel.masterName])]
        let masterName = sentinel.masterName
        let timeout = TimeAmount(configuration.commandTimeout)
        let eventLoop = self.eventLoop
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(RedisReplyDecoder())
                    try pipeline.addHandler(RedisCommandEncoder())
                    try pipeline.addHandler(RedisRequestHandler(commandTimeout: timeout))
                }
            }
            .connect(host: address.host, port: address.port)
            .flatMap { channel in
                let replies = channel.eventLoop.makePromise(of: [RedisValue].self)
                RedisConnection.write(RedisRequest(commands: commands, promise: replies), to: channel)
                return replies.futureResult.always { _ in channel.close(promise: nil) }
            }
            .hop(to: eventLoop)
            .flatMapThrowing { replies in
                try Self.master(from: replies, named: masterName)
            }
    }

    /// The address in the last reply, or why there is none.
    static func master(from replies: [RedisValue], named masterName: String) throws -> RedisNodeAddress {
        for reply in replies {
            if let message = reply.errorMessage {
                throw RedisError.server(message)
            }
        }
        if replies.last?.isNull == true {
            throw RedisError.server("does not know the master \"\(masterName)\"")
        }
        guard let parts = replies.last?.array, parts.count == 2, let host = parts[0].string, !host.isEmpty,
            let port = parts[1].int, (1...65535).contains(port)
        else {
            throw RedisError.protocolError("answered get-master-addr-by-name with something that is not an address")
        }
        return RedisNodeAddress(host: host, port: port)
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError, !error.connectionErrors.isEmpty {
            return error.connectionErrors.map { "\($0.error)" }.joined(separator: "; ")
        }
        return String(describing: error)
    }
}
