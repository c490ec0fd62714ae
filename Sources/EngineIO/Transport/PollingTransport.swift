import NIOCore

/// The outbound side of HTTP long-polling for one session: a bounded queue and at most one waiting GET.
///
/// Confined to the session's event loop.
final class PollingTransport {
    private(set) var queue: [EnginePacket] = []
    private(set) var queuedBytes = 0
    private var pendingGet: EventLoopPromise<PollingResponse>?
    let version: EngineProtocolVersion
    let supportsBinary: Bool
    let maxPacketsPerResponse: Int

    init(version: EngineProtocolVersion, supportsBinary: Bool, maxPacketsPerResponse: Int) {
        self.version = version
        self.supportsBinary = supportsBinary
        self.maxPacketsPerResponse = maxPacketsPerResponse
    }

    var hasPendingGet: Bool { pendingGet != nil }

    /// Queues a packet; returns the queued byte count so the session can enforce its bound.
    func enqueue(_ packet: EnginePacket) -> Int {
        queue.append(packet)
        queuedBytes += packet.approximateSize
        return queuedBytes
    }

    /// Parks a GET until there is something to send.
    func park(_ promise: EventLoopPromise<PollingResponse>) {
        pendingGet = promise
    }

    /// Answers the waiting GET with everything queued, if both exist.
    func flush(allocator: ByteBufferAllocator) {
        guard let promise = pendingGet, !queue.isEmpty else { return }
        pendingGet = nil
        promise.succeed(drain(allocator: allocator))
    }

    /// Encodes and removes up to `maxPacketsPerResponse` packets; the rest wait for the next GET.
    func drain(allocator: ByteBufferAllocator) -> PollingResponse {
        let batch = queue.prefix(maxPacketsPerResponse)
        let encoded = EnginePayloadCodec.encode(Array(batch), version: version, supportsBinary: supportsBinary, allocator: allocator)
        queuedBytes -= batch.reduce(0) { $0 + $1.approximateSize }
        queue.removeFirst(batch.count)
        if queue.isEmpty {
            queue = []
            queuedBytes = 0
        }
        return PollingResponse(body: encoded.body, contentType: encoded.contentType)
    }

    /// Ends the transport at once: the queue is dropped and a waiting GET, if any, is answered with `packet` alone.
    func dismiss(answeringWith packet: EnginePacket, allocator: ByteBufferAllocator) {
        queue.removeAll()
        queuedBytes = 0
        guard let promise = pendingGet else { return }
        pendingGet = nil
        _ = enqueue(packet)
        promise.succeed(drain(allocator: allocator))
    }

    /// Hands the queue over (to the WebSocket after an upgrade) and releases a waiting GET with a noop.
    func handOver(allocator: ByteBufferAllocator) -> [EnginePacket] {
        let packets = queue.filter { $0 != .noop }
        queue.removeAll()
        queuedBytes = 0
        if let promise = pendingGet {
            pendingGet = nil
            _ = enqueue(.noop)
            promise.succeed(drain(allocator: allocator))
        }
        return packets
    }
}

extension EnginePacket {
    /// Size used for outbound accounting; exact for messages, nominal for control packets.
    var approximateSize: Int {
        switch self {
        case .message(.text(let text)): text.utf8.count + 1
        case .message(.binary(let buffer)): buffer.readableBytes + 2
        case .open(let json): json.utf8.count + 1
        default: 8
        }
    }
}
