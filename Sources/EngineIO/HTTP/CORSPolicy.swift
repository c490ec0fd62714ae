/// Which origins may read polling responses.
///
/// Socket.IO 1.x/2.x browser clients send credentials, so a literal `*` would make the browser drop the
/// response: allowed origins are reflected with `Access-Control-Allow-Credentials: true`.
public enum CORSPolicy: Sendable, Hashable {
    /// Any origin, reflected.
    case reflectAnyOrigin
    /// Only these origins (exact match, e.g. `https://example.com`), reflected.
    case allowList(Set<String>)

    /// The origin to echo in `Access-Control-Allow-Origin`, or nil when the request's origin is not allowed.
    public func allowedOrigin(for origin: String?) -> String? {
        guard let origin, !origin.isEmpty else { return nil }
        switch self {
        case .reflectAnyOrigin: return origin
        case .allowList(let origins): return origins.contains(origin) ? origin : nil
        }
    }
}
