import HeraldRedis
import NIOCore
import NIOEmbedded

/// Redis replies through the connection's decoder (hiredis' `redisReader`), as a server or a man in the middle
/// could send them, and each decoded reply through the parsers of cluster maps, redirects, sentinel answers and
/// pub/sub pushes (``RedisTopologyReplies``).
enum RedisFuzzing {
    /// The first byte sets the size of the pieces the rest arrives in, as TCP may cut a reply anywhere.
    static func replies(_ input: UnsafeRawBufferPointer) {
        guard let first = input.first else { return }
        let pieceSize = Int(first) + 1
        let channel = EmbeddedChannel(handler: RedisReplyDecoder())
        // An embedded channel is inactive until connected, and the loop below stops at an inactive channel (the decoder
        // closes it on a protocol error): without this no reply was ever decoded.
        guard let server = try? SocketAddress(ipAddress: "127.0.0.1", port: 6379),
            (try? channel.connect(to: server).wait()) != nil
        else { return }
        var rest = input.dropFirst()
        while !rest.isEmpty, channel.isActive {
            let piece = rest.prefix(pieceSize)
            rest = rest.dropFirst(piece.count)
            do {
                try channel.writeInbound(ByteBuffer(bytes: piece))
                while let value = try channel.readInbound(as: RedisValue.self) {
                    _ = value.string
                    _ = value.int
                    RedisTopologyReplies.check(value)
                }
            } catch {
                break
            }
        }
        _ = try? channel.finish()
    }
}
