import NIOConcurrencyHelpers

/// The sites Herald serves, readable from any thread; replaced as a whole when the configuration changes.
public final class SiteRegistry: Sendable {
    private let table: NIOLockedValueBox<[String: Site]>

    /// Creates a registry holding `sites`.
    public init(_ sites: [String: Site]) {
        table = NIOLockedValueBox(sites)
    }

    /// The site called `name`, if Herald serves it.
    public func site(named name: String) -> Site? {
        table.withLockedValue { $0[name] }
    }

    /// Every site, sorted by name.
    public var all: [Site] {
        table.withLockedValue { $0.values.sorted { $0.name < $1.name } }
    }

    /// Serves `sites` from now on instead of the current ones; returns what changed.
    @discardableResult
    public func replace(with sites: [String: Site]) -> SiteChanges {
        table.withLockedValue { table in
            let changes = SiteChanges(from: table, to: sites)
            table = sites
            return changes
        }
    }
}
