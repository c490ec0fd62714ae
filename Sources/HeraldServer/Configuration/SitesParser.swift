import Herald

/// Reads `sites.yml`: a mapping from site name to the site's settings.
enum SitesParser {
    /// The sites of the document; an empty document is an error because Herald without sites serves nobody.
    static func parse(_ root: YAMLValue?, file: String, warnings: inout [String]) throws(ConfigurationError) -> [String: Site] {
        guard let root, !root.isNull else {
            throw noSites(file: file)
        }
        let entries = try root.mapping().entries
        guard !entries.isEmpty else {
            throw noSites(file: file)
        }
        var sites: [String: Site] = [:]
        for entry in entries {
            guard ValueFormat.isSiteName(entry.key) else {
                let name = YAMLValue(node: entry.keyNode, keyPath: entry.key, file: file)
                throw name.error("site names may only use letters, digits, '_', '.' and '-' (the name becomes the namespace /<name>)")
            }
            sites[entry.key] = try SiteParser.parse(entry.value, name: entry.key, warnings: &warnings)
        }
        return sites
    }

    /// The error for a configuration without any site.
    static func noSites(file: String) -> ConfigurationError {
        ConfigurationError(
            file: file,
            message: "no sites configured: create \(file) with at least one site (see docs/configuration.md), "
                + "or set SITE_NAME, AUTH_URL and API_KEY to run a single site"
        )
    }
}
