public import NIOCore
import NIOWebSocket

/// Where a server WebSocket handler writes frames encoded once for many recipients (``WebSocketFrameBytes``): just
/// below SwiftNIO's frame encoder, which has nothing to add to them, with the flush left to the loop's
/// ``FlushCoalescer`` so the broadcasts of one loop turn leave in one system call.
///
/// A value the handler keeps as state, confined to the connection's event loop; the handler is the coalescer's
/// ``CoalescedFlushTarget`` and answers ``CoalescedFlushTarget/flushCoalescedWrites()`` with ``flush()``.
public struct EncodedFrameOutput {
    private let coalescer: FlushCoalescer
    private var context: ChannelHandlerContext?
    private var awaitsFlush = false

    /// An output flushed by `coalescer`, the coalescer of the connection's loop.
    public init(coalescer: FlushCoalescer) {
        self.coalescer = coalescer
    }

    /// Starts writing below the frame encoder of the pipeline `handlerContext` belongs to (or from `handlerContext`
    /// itself when there is none); call from `handlerAdded`.
    public mutating func attach(to handlerContext: ChannelHandlerContext) {
        context = (try? handlerContext.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self)) ?? handlerContext
    }

    /// Stops writing; call from `handlerRemoved`.
    public mutating func detach() {
        context = nil
    }

    /// Whether the output is attached to a pipeline.
    public var isAttached: Bool { context != nil }

    /// Writes `frame` (complete, encoded) and has `target` flushed in the loop's next task.
    public mutating func write(_ frame: ByteBuffer, flushing target: any CoalescedFlushTarget) {
        context?.write(NIOAny(frame), promise: nil)
        flushSoon(target)
    }

    /// Has `target` flushed in the loop's next task, unless a flush is already due; for frames the handler wrote
    /// above the encoder too.
    public mutating func flushSoon(_ target: any CoalescedFlushTarget) {
        guard !awaitsFlush else { return }
        awaitsFlush = true
        coalescer.flushSoon(target)
    }

    /// Flushes everything written on the connection so far, from the lowest point this output writes from.
    public mutating func flush() {
        awaitsFlush = false
        context?.flush()
    }
}
