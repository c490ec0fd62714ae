import NIOConcurrencyHelpers
public import NIOCore

/// The listeners connected to this instance, each with the event types it subscribed to, indexed by event type.
///
/// Bounded: at most `maxListeners` are connected at once (``connect(_:)`` says no beyond), and each subscribes to a
/// bounded set of types (checked by ``ListenerInit/parse(_:maxEvents:)``). One lock guards the table; fan-out takes
/// it once per event to collect the recipients and hops once to each event loop that has some.
public final class EventListenerRegistry: Sendable {
    private struct Table {
        var connected: [ObjectIdentifier: any EventListener] = [:]
        var subscriptions: [ObjectIdentifier: Set<String>] = [:]
        var byEvent: [String: [ObjectIdentifier: any EventListener]] = [:]
    }

    private let table = NIOLockedValueBox(Table())
    /// Most listeners connected at once.
    public let maxListeners: Int

    /// Creates an empty registry admitting `maxListeners`.
    public init(maxListeners: Int) {
        self.maxListeners = maxListeners
    }

    /// Listeners connected now, subscribed or not.
    public var count: Int {
        table.withLockedValue { $0.connected.count }
    }

    /// Whether a new listener would be admitted now (checked before a WebSocket upgrade; ``connect(_:)`` decides).
    public var hasRoom: Bool {
        count < maxListeners
    }

    /// Admits `listener` (not yet subscribed to anything); false when `maxListeners` are connected.
    public func connect(_ listener: any EventListener) -> Bool {
        table.withLockedValue { table in
            guard table.connected.count < maxListeners else { return false }
            table.connected[ObjectIdentifier(listener)] = listener
            return true
        }
    }

    /// Subscribes a connected `listener` to exactly `events` (replacing what it had).
    public func subscribe(_ listener: any EventListener, to events: Set<String>) {
        let id = ObjectIdentifier(listener)
        table.withLockedValue { table in
            guard table.connected[id] != nil else { return }
            Self.unsubscribe(id, in: &table)
            table.subscriptions[id] = events
            for event in events {
                table.byEvent[event, default: [:]][id] = listener
            }
        }
    }

    /// Forgets `listener` (its connection closed).
    public func disconnect(_ listener: any EventListener) {
        let id = ObjectIdentifier(listener)
        table.withLockedValue { table in
            Self.unsubscribe(id, in: &table)
            table.connected[id] = nil
        }
    }

    private static func unsubscribe(_ id: ObjectIdentifier, in table: inout Table) {
        guard let events = table.subscriptions.removeValue(forKey: id) else { return }
        for event in events {
            table.byEvent[event]?[id] = nil
            if table.byEvent[event]?.isEmpty == true {
                table.byEvent[event] = nil
            }
        }
    }

    /// The listeners subscribed to `event`.
    public func listeners(for event: String) -> [any EventListener] {
        table.withLockedValue { table in table.byEvent[event].map { Array($0.values) } ?? [] }
    }

    /// Hands `message` to every listener subscribed to `event`, one hop per event loop; returns how many.
    @discardableResult
    public func send(_ message: ByteBuffer, toListenersOf event: String) -> Int {
        let recipients = listeners(for: event)
        for (_, group) in Dictionary(grouping: recipients, by: { ObjectIdentifier($0.eventLoop) }) {
            let loop = group[0].eventLoop
            loop.execute {
                for listener in group {
                    listener.receive(message)
                }
            }
        }
        return recipients.count
    }

    /// Closes every connected listener with 1001 (graceful shutdown).
    public func closeAll() {
        let all = table.withLockedValue { Array($0.connected.values) }
        for listener in all {
            listener.eventLoop.execute { listener.close(goingAway: true) }
        }
    }
}
