/// How one set of sites differs from another: what a reload of `sites.yml` did.
public struct SiteChanges: Sendable, Hashable {
    /// Names of sites that are new, sorted.
    public var added: [String]
    /// Names of sites that are gone, sorted.
    public var removed: [String]
    /// Names of sites present in both whose settings (keys, hooks, limits) differ, sorted.
    public var changed: [String]

    /// The difference from `old` to `new`.
    public init(from old: [String: Site], to new: [String: Site]) {
        added = new.keys.filter { old[$0] == nil }.sorted()
        removed = old.keys.filter { new[$0] == nil }.sorted()
        changed = new.compactMap { name, site in old[name].map { $0 == site ? nil : name } ?? nil }.sorted()
    }

    /// Whether nothing changed.
    public var isEmpty: Bool {
        added.isEmpty && removed.isEmpty && changed.isEmpty
    }
}
