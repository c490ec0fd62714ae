/// Attempts per key within a sliding minute, for many keys in bounded memory: what `maxAuthAttemptsPerMinute`
/// counts per site and client address. Time is passed in, so it is a plain value tests drive with any clock.
///
/// Each key holds one instant (the generic cell rate algorithm): a limit of `n` per minute spaces attempts
/// `60 s / n` apart and allows a burst of `n`; an attempt is refused when it would push the key's instant more than a
/// minute ahead of now. A key untouched for a minute is back to a full allowance, so forgetting it loses nothing.
///
/// Keys are kept in two generations. New and touched keys go to the current one; it becomes the previous one when a
/// minute has passed or when it holds half of `maxKeys`, and the old previous one is dropped. So at most `maxKeys`
/// keys are held whatever the number of addresses a client uses, and keys idle for a minute or more go by
/// themselves. Only a client cycling through `maxKeys / 2` fresh keys within a minute can make a busy key be
/// forgotten early, which gives that key a new allowance and nothing more.
struct AttemptLedger<Key: Hashable & Sendable>: Sendable {
    /// Most keys held at once.
    let maxKeys: Int
    private var current: [Key: Duration] = [:]
    private var previous: [Key: Duration] = [:]
    private var generationStart: Duration

    /// An empty ledger at time `now`, holding up to `maxKeys` keys (at least 2).
    init(maxKeys: Int, now: Duration) {
        precondition(maxKeys >= 2, "an attempt ledger holds at least two keys")
        self.maxKeys = maxKeys
        generationStart = now
    }

    /// Keys held now.
    var count: Int {
        current.count + previous.count
    }

    /// Counts one attempt of `key` at time `now` against `perMinute` attempts a minute (at least 1), and tells whether
    /// it is within them; a refused attempt counts for nothing, so a client that keeps trying is let in again as soon
    /// as its oldest attempt is a minute old.
    mutating func attempt(_ key: Key, perMinute: Int, now: Duration) -> Bool {
        precondition(perMinute >= 1, "a limit of at least one attempt a minute")
        rollIfDue(now: now)
        let window = Duration.seconds(60)
        let spacing = window / perMinute
        let held = current.removeValue(forKey: key) ?? previous.removeValue(forKey: key)
        let start = max(held ?? now, now)
        guard start + spacing - now <= window else {
            if let held { store(key, held) }
            return false
        }
        store(key, start + spacing)
        return true
    }

    private mutating func store(_ key: Key, _ instant: Duration) {
        if current.count >= maxKeys / 2 {
            previous = current
            current = [:]
        }
        current[key] = instant
    }

    private mutating func rollIfDue(now: Duration) {
        guard now - generationStart >= .seconds(60) else { return }
        previous = current
        current = [:]
        generationStart = now
    }
}
