import NIOConcurrencyHelpers
import NIOCore

/// The compressed renderings of one prepared message, made by the first recipient that needs one and shared by
/// every other: a broadcast is compressed once per window size (normally just 15 bits), not once per client.
///
/// Recipients live on different event loops, so the renderings sit behind a lock; the first asker compresses while
/// holding it, and the others wait for its result rather than compressing again.
final class DeflatedFrames: Sendable {
    /// One slot per window size Herald compresses with (9 to 15 bits), allocated by the first recipient that needs
    /// one: a broadcast no client compresses costs no more than this empty box.
    private let renderings = NIOLockedValueBox<[Rendering]>([])

    private enum Rendering {
        case notMade
        case made(ByteBuffer?)
    }

    /// The complete compressed frame (RSV1 set) of `payload()` with a window of `windowBits`, made once; nil if zlib
    /// failed, in which case the recipients send the message uncompressed. `payload` is only called to make it.
    func frame(
        isBinary: Bool,
        windowBits: Int,
        counters: PerMessageDeflateCounters,
        payload: () -> ByteBuffer
    ) -> ByteBuffer? {
        let slot = windowBits - PerMessageDeflate.smallestServerWindowBits
        return renderings.withLockedValue { renderings in
            if renderings.isEmpty {
                renderings = Array(repeating: .notMade, count: 16 - PerMessageDeflate.smallestServerWindowBits)
            }
            if case .made(let frame) = renderings[slot] { return frame }
            let allocator = ByteBufferAllocator()
            let compressed = MessageDeflater.deflate(payload(), windowBits: windowBits, allocator: allocator, counting: counters)
            let frame = compressed.map { WebSocketFrameBytes.encode($0, isBinary: isBinary, compressed: true, allocator: allocator) }
            renderings[slot] = .made(frame)
            return frame
        }
    }
}

/// What permessage-deflate did in one server, for tests and diagnostics.
public final class PerMessageDeflateCounters: Sendable {
    private let compressions = NIOLockedValueBox(0)

    /// A fresh set of counters.
    public init() {}

    /// Outgoing messages compressed so far: once per broadcast and window size, once per message sent to one socket.
    public var compressedMessages: Int {
        compressions.withLockedValue { $0 }
    }

    func countCompression() {
        compressions.withLockedValue { $0 += 1 }
    }
}
