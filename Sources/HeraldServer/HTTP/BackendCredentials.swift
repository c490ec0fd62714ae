import Herald
import Hummingbird

/// Which site a backend's request (`/send`, `/rpc`, `/disconnect`) is for: `site` in the query, proven by its
/// `apiKey` (query, or `Authorization: Bearer <key>`, which keeps it out of access logs), compared in constant time.
enum BackendCredentials {
    static let missing = "Missing query param 'site' or 'apiKey'."
    static let invalid = "ApiKey invalid."

    /// The site, or the Node service's answer: 400 without a site or key, 401 for an unknown site or a wrong key.
    static func site(of request: Request, in sites: SiteRegistry) -> Result<Site, SendReply> {
        let query = request.uri.queryParameters
        let key = query.get("apiKey") ?? bearerToken(in: request.headers[.authorization])
        guard let siteName = query.get("site"), !siteName.isEmpty, let key, !key.isEmpty else {
            return .failure(.text(missing, status: .badRequest))
        }
        guard let site = sites.site(named: siteName), site.accepts(apiKey: key) else {
            return .failure(.text(invalid, status: .unauthorized))
        }
        return .success(site)
    }

    /// The `site` label of a backend's request in the metrics: its site when configured, else
    /// ``HeraldMetrics/unknownSite`` (so a stranger's guesses cannot mint labels).
    static func metricsSite(of request: Request, in sites: SiteRegistry) -> String {
        guard let name = request.uri.queryParameters.get("site"), sites.site(named: name) != nil else {
            return HeraldMetrics.unknownSite
        }
        return name
    }

    /// The credentials of `Authorization: Bearer <key>`.
    static func bearerToken(in header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }
}

/// A refusal answer travels as the failure of a `Result` until the controller returns it.
extension SendReply: Error {}
