import NIOConcurrencyHelpers

/// The ``IdempotencyStore`` of a single instance: keys and answers in this process's memory, each forgotten when it
/// expires, and at most `maxEntries` kept (past that the oldest is dropped first, so memory stays bounded whatever
/// keys backends send).
public final class InMemoryIdempotencyStore: IdempotencyStore {
    public let retention: Duration
    private let inFlightTimeout: Duration
    private let maxEntries: Int
    private let clock: any WallClock
    private let state = NIOLockedValueBox(Table())

    /// Creates an empty store.
    public init(
        retention: Duration = IdempotencyDefaults.retention,
        inFlightTimeout: Duration = IdempotencyDefaults.inFlightTimeout,
        maxEntries: Int = 100_000,
        clock: any WallClock = SystemWallClock()
    ) {
        precondition(maxEntries > 0, "an idempotency store must hold at least one key")
        self.retention = retention
        self.inFlightTimeout = inFlightTimeout
        self.maxEntries = maxEntries
        self.clock = clock
    }

    /// How many keys are held now (expired ones included until the next change).
    public var count: Int {
        state.withLockedValue { $0.entries.count }
    }

    public func begin(_ key: IdempotencyKey) async throws(StoreError) -> IdempotencyClaim {
        let now = clock.milliseconds
        let token = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let timeout = inFlightTimeout.milliseconds
        let limit = maxEntries
        return state.withLockedValue { table in
            table.dropExpired(now: now)
            switch table.entries[key].flatMap({ $0.expiresAt > now ? $0.state : nil }) {
            case .running: return .inFlight
            case .done(let response): return .completed(response)
            case nil:
                table.evict(toFit: limit)
                table.insert(key, Entry(state: .running(token: token), expiresAt: now + timeout))
                return .started(IdempotencyTicket(key: key, token: token))
            }
        }
    }

    public func complete(_ ticket: IdempotencyTicket, with response: IdempotentResponse) async {
        let now = clock.milliseconds
        let expiresAt = now + retention.milliseconds
        state.withLockedValue { table in
            guard table.isClaimed(ticket, now: now) else { return }
            table.insert(ticket.key, Entry(state: .done(response), expiresAt: expiresAt))
        }
    }

    public func release(_ ticket: IdempotencyTicket) async {
        let now = clock.milliseconds
        state.withLockedValue { table in
            guard table.isClaimed(ticket, now: now) else { return }
            table.entries[ticket.key] = nil
        }
    }

    private struct Entry {
        enum State {
            case running(token: String)
            case done(IdempotentResponse)
        }

        var state: State
        var expiresAt: Int64
        /// Which write made the entry, to tell its record in `order` from stale ones.
        var serial: UInt64 = 0
    }

    /// Entries by key, and the order they were written in, oldest first (what is dropped first when the table is
    /// full). A rewritten entry leaves a stale record behind, skipped when reached.
    private struct Table {
        var entries: [IdempotencyKey: Entry] = [:]
        var order: [(key: IdempotencyKey, expiresAt: Int64, serial: UInt64)] = []
        var head = 0
        var nextSerial: UInt64 = 0

        /// Whether `ticket`'s claim still holds (it has not timed out and been taken by another request).
        func isClaimed(_ ticket: IdempotencyTicket, now: Int64) -> Bool {
            guard let entry = entries[ticket.key], case .running(let token) = entry.state else { return false }
            return token == ticket.token && entry.expiresAt > now
        }

        mutating func insert(_ key: IdempotencyKey, _ entry: Entry) {
            var entry = entry
            nextSerial += 1
            entry.serial = nextSerial
            entries[key] = entry
            order.append((key, entry.expiresAt, entry.serial))
        }

        mutating func dropExpired(now: Int64) {
            while head < order.count, order[head].expiresAt <= now {
                dropHead()
            }
            compact()
        }

        mutating func evict(toFit limit: Int) {
            while entries.count >= limit, head < order.count {
                dropHead()
            }
            compact()
        }

        private mutating func dropHead() {
            let record = order[head]
            head += 1
            if entries[record.key]?.serial == record.serial {
                entries[record.key] = nil
            }
        }

        private mutating func compact() {
            guard head > 1_024, head * 2 > order.count else { return }
            order.removeFirst(head)
            head = 0
        }
    }
}

extension Duration {
    /// Whole milliseconds.
    fileprivate var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
