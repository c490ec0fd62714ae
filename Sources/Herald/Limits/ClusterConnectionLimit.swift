/// `maxConnections` across every instance of the cluster: the gateway asks it after this instance's own count
/// (``SiteConnectionCounter``) admitted a socket, and tells it when that socket leaves.
///
/// A single instance uses ``InstanceConnectionLimit`` (its own count is the whole service's); several instances on
/// one Redis use the leases of `HeraldRedis`.
public protocol ClusterConnectionLimit: Sendable {
    /// Takes one of `site`'s connection slots across the cluster; may wait for one call to the shared state.
    func reserve(for site: Site) async -> ClusterAdmission
    /// Gives back a slot taken by an ``ClusterAdmission/admitted`` reservation of `siteName`.
    func release(siteName: String)
}

/// What ``ClusterConnectionLimit/reserve(for:)`` decided.
public enum ClusterAdmission: Sendable, Hashable {
    /// The site has no `maxConnections`: nothing was taken, nothing is to be released.
    case unlimited
    /// A slot was taken; release it when the socket leaves.
    case admitted
    /// The cluster is at the site's `maxConnections`.
    case refused
}

/// The limit of a single instance: its own count (``SiteConnectionCounter``) already is the service's, so every
/// socket this instance admitted is admitted here too.
public struct InstanceConnectionLimit: ClusterConnectionLimit {
    /// Creates the limit.
    public init() {}

    public func reserve(for site: Site) async -> ClusterAdmission { .unlimited }

    public func release(siteName: String) {}
}
