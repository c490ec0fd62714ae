import NIOCore
import NIOHTTP1

/// One `POST /send` handed to a ``SendClientHandler``, with the promise its response status completes.
struct SendRequest: Sendable {
    /// Request line and headers.
    let head: HTTPRequestHead
    /// JSON body.
    let body: ByteBuffer
    /// Completed with the response status code, or failed when the connection breaks first.
    let status: EventLoopPromise<UInt>
}
