/// One admitted socket's place under its site's `maxConnections`: on this instance, and across the cluster when the
/// cluster limit took a slot for it.
struct ConnectionSlot: Sendable {
    let siteName: String
    let counter: SiteConnectionCounter
    let cluster: (any ClusterConnectionLimit)?

    /// Gives the place back (once: the socket left, or its admission failed).
    func release() {
        counter.release(siteName: siteName)
        cluster?.release(siteName: siteName)
    }
}
