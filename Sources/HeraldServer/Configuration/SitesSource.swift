/// Where the sites came from, so a reload knows which file to watch (or that there is none).
public enum SitesSource: Sendable, Hashable {
    /// A `sites.yml` file, at this path as it was given.
    case file(String)
    /// Single-site mode: `SITE_NAME`, `AUTH_URL`, `API_KEY` and friends; no file is read.
    case environment
}
