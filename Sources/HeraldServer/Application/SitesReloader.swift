import Herald
import Logging

/// Applies a fresh read of the sites to the running service, logging one line per reload; an invalid file is
/// refused with its error logged and the running sites kept.
struct SitesReloader: Sendable {
    let reload: SitesReload
    let service: HeraldService
    let logger: Logger

    /// Reads the sites and applies them; returns what changed, or nil when the new sites were refused.
    @discardableResult
    func reloadSites() -> SiteChanges? {
        let loaded: ConfigurationResult<[String: Site]>
        do {
            loaded = try reload.load()
        } catch {
            logger.error("sites reload refused, the running sites are kept: \(error)")
            return nil
        }
        for warning in loaded.warnings {
            logger.warning("configuration: \(warning)")
        }
        let changes = service.reload(sites: loaded.value)
        logger.info(
            "sites reloaded: \(changes.added.count) added, \(changes.removed.count) removed, \(changes.changed.count) changed",
            metadata: [
                "added": .array(changes.added.map { "\($0)" }),
                "removed": .array(changes.removed.map { "\($0)" }),
                "changed": .array(changes.changed.map { "\($0)" }),
            ]
        )
        return changes
    }
}
