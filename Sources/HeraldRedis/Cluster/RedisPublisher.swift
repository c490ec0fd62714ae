import NIOCore

/// Publishes messages on Redis channels in the order they are handed over, with many `PUBLISH` commands in flight on
/// the client's one connection (pipelined) rather than one round trip each: what piled up while earlier commands
/// were answered leaves in one write.
///
/// Memory: the bytes of messages Redis has not acknowledged yet — queued here or in flight — are bounded by
/// `maxBufferedBytes`. Beyond it a message nobody waits for (``publish(_:on:)``) is dropped and counted; a message a
/// caller waits for (``publishAcknowledged(_:on:)``) is never dropped for space: it waits its turn, which holds that
/// caller back. A message Redis cannot take (disconnected, timed out) is dropped and counted as well.
///
/// Ownership: the queue lives on the Redis connection's event loop, where replies complete too; each publish hops
/// there once, so messages handed over one after the other (by one task or thread) reach Redis in that order.
final class RedisPublisher: Sendable {
    /// Most commands written in one write.
    static let maxCommandsPerWrite = 64
    /// Most commands written and not yet answered.
    static let maxInFlight = 1_024

    private let eventLoop: any EventLoop
    private let queue: NIOLoopBoundBox<PublishQueue>

    private let command: String

    /// Creates the publisher writing through `client` with `command` (`PUBLISH`, or `SPUBLISH` for sharded channels),
    /// counting what it drops in `drops`.
    init(client: RedisClient, maxBufferedBytes: Int, drops: DroppedMessages, command: String = "PUBLISH") {
        eventLoop = client.eventLoop
        self.command = command
        queue = NIOLoopBoundBox.makeBoxSendingValue(
            PublishQueue(client: client, maxBufferedBytes: maxBufferedBytes, drops: drops),
            eventLoop: client.eventLoop
        )
    }

    /// Hands `message` over for `channel` and returns at once; it is dropped when the buffer is full.
    func publish(_ message: String, on channel: String) {
        let item = PublishQueue.Item(command: command, channel: channel, message: message, done: nil)
        let queue = self.queue
        eventLoop.execute { queue.value.enqueue(item) }
    }

    /// Hands `message` over for `channel` now and returns a future that succeeds once Redis acknowledged the
    /// `PUBLISH` (every subscriber's connection has it), or once it is clear Redis will not (the drop is counted);
    /// it never fails.
    func publishAcknowledged(_ message: String, on channel: String) -> EventLoopFuture<Void> {
        let done = eventLoop.makePromise(of: Void.self)
        let item = PublishQueue.Item(command: command, channel: channel, message: message, done: done)
        let queue = self.queue
        eventLoop.execute { queue.value.enqueue(item) }
        return done.futureResult
    }

    /// Like ``publishAcknowledged(_:on:)``, waiting for the acknowledgement.
    func publishAndWait(_ message: String, on channel: String) async {
        try? await publishAcknowledged(message, on: channel).get()
    }

    /// Takes no more messages and returns once every message handed over was answered by Redis or dropped (bounded
    /// by the client's command timeout).
    func close() async {
        let drained = eventLoop.makePromise(of: Void.self)
        let queue = self.queue
        eventLoop.execute { queue.value.close(drained) }
        try? await drained.futureResult.get()
    }
}

/// The publisher's state, on the Redis connection's event loop only.
private final class PublishQueue {
    struct Item: Sendable {
        let command: RedisCommand
        let bytes: Int
        let done: EventLoopPromise<Void>?

        init(command name: String, channel: String, message: String, done: EventLoopPromise<Void>?) {
            command = RedisCommand([name, channel, message])
            bytes = channel.utf8.count + message.utf8.count
            self.done = done
        }
    }

    private let client: RedisClient
    private let maxBufferedBytes: Int
    private let drops: DroppedMessages
    private var waiting = CircularBuffer<Item>()
    private var bufferedBytes = 0
    private var inFlight = 0
    private var isWriting = false
    private var isClosed = false
    private var drained: [EventLoopPromise<Void>] = []

    init(client: RedisClient, maxBufferedBytes: Int, drops: DroppedMessages) {
        self.client = client
        self.maxBufferedBytes = maxBufferedBytes
        self.drops = drops
    }

    func enqueue(_ item: Item) {
        if isClosed {
            drop(item, .redisUnavailable)
            return
        }
        if item.done == nil, bufferedBytes + item.bytes > maxBufferedBytes {
            drop(item, .bufferFull)
            return
        }
        bufferedBytes += item.bytes
        waiting.append(item)
        write()
    }

    func close(_ promise: EventLoopPromise<Void>) {
        isClosed = true
        drained.append(promise)
        finishClosingIfDrained()
    }

    /// Writes what waits, a batch per write, while the window allows; a batch Redis cannot take fails at once and
    /// re-enters here through its completion, which the flag turns into another turn of this loop.
    private func write() {
        guard !isWriting else { return }
        isWriting = true
        defer { isWriting = false }
        while !waiting.isEmpty, inFlight < RedisPublisher.maxInFlight {
            let count = min(waiting.count, RedisPublisher.maxCommandsPerWrite, RedisPublisher.maxInFlight - inFlight)
            let batch = Array(waiting.prefix(count))
            waiting.removeFirst(count)
            inFlight += count
            client.submit(batch.map(\.command), metricName: batch[0].command.name).assumeIsolated().whenComplete { result in
                self.completed(batch, result)
            }
        }
    }

    private func completed(_ batch: [Item], _ result: Result<[RedisValue], any Error>) {
        inFlight -= batch.count
        for (index, item) in batch.enumerated() {
            bufferedBytes -= item.bytes
            if case .success(let replies) = result, index < replies.count, replies[index].errorMessage == nil {
                drops.passed()
                item.done?.succeed()
            } else {
                drop(item, .redisUnavailable)
            }
        }
        write()
        finishClosingIfDrained()
    }

    private func drop(_ item: Item, _ reason: DroppedMessages.Reason) {
        drops.drop(reason, bytes: item.bytes)
        item.done?.succeed()
    }

    private func finishClosingIfDrained() {
        guard isClosed, waiting.isEmpty, inFlight == 0 else { return }
        let promises = drained
        drained = []
        for promise in promises { promise.succeed() }
    }
}
