import Herald

/// Single-site mode: when `SITE_NAME` is set, the only site comes from the environment and `sites.yml` is not read,
/// as in the Node service's container image.
enum SingleSiteEnvironment {
    /// The variables this mode reads, for documentation and warnings.
    static let variables = ["SITE_NAME", "AUTH_URL", "AUTH_SCHEME", "API_KEY", "USER_ROOM_PREFIX", "UPDATE_USER_URL", "PUBLIC_CHANNEL"]

    /// The site described by the environment, or nil when `SITE_NAME` is unset.
    static func site(from environment: EnvironmentVariables) throws(ConfigurationError) -> Site? {
        guard let name = environment["SITE_NAME"] else {
            return nil
        }
        guard ValueFormat.isSiteName(name) else {
            throw .environment("SITE_NAME", "may only use letters, digits, '_', '.' and '-' (the name becomes the namespace /<name>)")
        }
        guard let authURL = environment["AUTH_URL"] else {
            throw .environment("AUTH_URL", "must be set when SITE_NAME is set")
        }
        guard ValueFormat.isHTTPURL(authURL) else {
            throw .environment("AUTH_URL", "must be an absolute http:// or https:// URL")
        }
        guard let apiKey = environment["API_KEY"] else {
            throw .environment("API_KEY", "must be set when SITE_NAME is set")
        }
        var site = Site(name: name, authentication: .authURL(authURL), apiKey: apiKey)
        if let authScheme = environment["AUTH_SCHEME"] {
            site.authScheme = authScheme
        }
        site.userRoomPrefix = environment["USER_ROOM_PREFIX"]
        if let updateUserURL = environment["UPDATE_USER_URL"] {
            guard ValueFormat.isHTTPURL(updateUserURL) else {
                throw .environment("UPDATE_USER_URL", "must be an absolute http:// or https:// URL")
            }
            site.updateUserURL = updateUserURL
        }
        site.publicChannel = environment["PUBLIC_CHANNEL"]
        return site
    }
}
