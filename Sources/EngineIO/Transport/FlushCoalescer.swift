import NIOConcurrencyHelpers
import NIOCore

/// Flushes the WebSockets of one event loop that broadcasts wrote to, once per turn of the loop.
///
/// A broadcast writes its frame to each recipient without flushing and asks for a flush here; the flush runs as the
/// next task on the loop, after every broadcast already queued there. Several messages to one client then leave in
/// one `writev` instead of one system call each, and a single message still leaves within the same loop turn.
final class FlushCoalescer: @unchecked Sendable {
    let eventLoop: any EventLoop
    private var pending: [WebSocketTransportHandler] = []
    private var spare: [WebSocketTransportHandler] = []

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Flushes `handler` in the next task on the loop; call once per handler until it is flushed.
    func flushSoon(_ handler: WebSocketTransportHandler) {
        eventLoop.assertInEventLoop()
        if pending.isEmpty {
            eventLoop.execute { self.flushAll() }
        }
        pending.append(handler)
    }

    private func flushAll() {
        swap(&pending, &spare)
        for handler in spare {
            handler.flushCoalescedWrites()
        }
        spare.removeAll(keepingCapacity: true)
    }
}

/// One ``FlushCoalescer`` per event loop, created on first use and kept as long as the server.
final class FlushCoalescers: Sendable {
    private let table = NIOLockedValueBox<[ObjectIdentifier: FlushCoalescer]>([:])

    /// The coalescer of `eventLoop`.
    func coalescer(for eventLoop: any EventLoop) -> FlushCoalescer {
        let key = ObjectIdentifier(eventLoop)
        return table.withLockedValue { table in
            if let coalescer = table[key] { return coalescer }
            let coalescer = FlushCoalescer(eventLoop: eventLoop)
            table[key] = coalescer
            return coalescer
        }
    }
}
