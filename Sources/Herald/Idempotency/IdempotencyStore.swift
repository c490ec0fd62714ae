/// Remembers, per site and `Idempotency-Key`, that a request ran and what it answered, so a retry is a no-op.
///
/// A caller ``begin(_:)``s a key before doing anything; when that returns ``IdempotencyClaim/started(_:)`` it runs
/// the request and then either ``complete(_:with:)``s the claim (the answer is kept for ``retention``) or
/// ``release(_:)``s it (the key is forgotten, so a retry runs again). Two implementations pass one contract suite:
/// ``InMemoryIdempotencyStore`` (one process) and the Redis store (shared by every instance).
public protocol IdempotencyStore: Sendable {
    /// How long a completed request's answer is kept.
    var retention: Duration { get }

    /// Claims `key` for a request about to run, atomically: of several concurrent callers exactly one starts.
    ///
    /// - Throws: ``StoreError`` when the store cannot be asked; then nothing was claimed.
    func begin(_ key: IdempotencyKey) async throws(StoreError) -> IdempotencyClaim

    /// Keeps `response` as the answer to the claimed key for ``retention``. Does nothing if the claim was lost
    /// meanwhile (it outlived its in-flight timeout and another request took the key).
    func complete(_ ticket: IdempotencyTicket, with response: IdempotentResponse) async

    /// Forgets the claimed key, so the next request with it runs. Does nothing if the claim was lost meanwhile.
    func release(_ ticket: IdempotencyTicket) async
}

/// The answer to ``IdempotencyStore/begin(_:)``.
public enum IdempotencyClaim: Sendable, Hashable {
    /// The key is new: run the request, then complete or release the ticket.
    case started(IdempotencyTicket)
    /// A request with this key is running right now (here or on another instance).
    case inFlight
    /// A request with this key finished within the retention period; answer with its response.
    case completed(IdempotentResponse)
}

/// Proof of a claim: only the request that started a key can complete or release it.
public struct IdempotencyTicket: Sendable, Hashable {
    /// The claimed key.
    public let key: IdempotencyKey
    /// A value unique to this claim.
    public let token: String

    /// Creates a ticket; stores make them in ``IdempotencyStore/begin(_:)``.
    public init(key: IdempotencyKey, token: String) {
        self.key = key
        self.token = token
    }
}

/// Timing shared by the idempotency stores.
public enum IdempotencyDefaults {
    /// How long an answer is kept: a retry within this period gets it again.
    public static let retention: Duration = .seconds(300)
    /// How long a claim lasts while its request runs; a process that dies mid-request frees the key after this.
    public static let inFlightTimeout: Duration = .seconds(60)
}
