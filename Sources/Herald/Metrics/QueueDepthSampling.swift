/// A message store that can count its queued messages cheaply enough to do so at each metrics scrape.
///
/// The in-memory store does (one pass over its devices under its lock); the Redis store does not, as counting
/// would mean scanning every queue key, so with Redis `herald_queued_messages` is not exported.
public protocol QueueDepthSampling: Sendable {
    /// Messages waiting in device queues, by site; sites without queued messages may be absent.
    func queuedMessagesBySite() -> [String: Int]
}
