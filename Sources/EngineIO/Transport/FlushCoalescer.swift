import NIOConcurrencyHelpers
public import NIOCore

/// A connection handler that writes without flushing and leaves the flush to its loop's ``FlushCoalescer``.
public protocol CoalescedFlushTarget: AnyObject {
    /// Flushes what was written since the last flush; called by the coalescer on the handler's loop.
    func flushCoalescedWrites()
}

/// Flushes the WebSockets of one event loop that broadcasts wrote to, once per turn of the loop.
///
/// A broadcast writes its frame to each recipient without flushing and asks for a flush here; the flush runs as the
/// next task on the loop, after every broadcast already queued there. Several messages to one client then leave in
/// one `writev` instead of one system call each, and a single message still leaves within the same loop turn.
public final class FlushCoalescer: @unchecked Sendable {
    /// The loop whose connections this coalescer flushes.
    public let eventLoop: any EventLoop
    private var pending: [any CoalescedFlushTarget] = []
    private var spare: [any CoalescedFlushTarget] = []

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Flushes `handler` in the next task on the loop; call once per handler until it is flushed.
    public func flushSoon(_ handler: any CoalescedFlushTarget) {
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
