import Foundation
import HeraldRedis

/// Shapes that configuration strings must have, shared by the YAML files and the environment variables.
enum ValueFormat {
    /// Characters of a site name: it becomes the Socket.IO namespace `/<name>` and appears in `POST /send?site=`.
    static func isSiteName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "_.-".unicodeScalars.contains(scalar))
            }
    }

    /// An absolute `http://` or `https://` URL with a host, as hook calls need.
    static func isHTTPURL(_ text: String) -> Bool {
        hasHost(text, schemes: ["http", "https"])
    }

    /// Why `text` is not a Redis URL Herald can use, or nil when it is: `redis://` or `rediss://` with a host,
    /// `redis+cluster://` / `rediss+cluster://` listing a cluster's seed nodes, or `redis+sentinel://` /
    /// `rediss+sentinel://` listing sentinels and the master's name.
    static func redisURLProblem(_ text: String) -> String? {
        let scheme = text.prefix { $0 != ":" }.lowercased()
        let form: String
        if scheme.hasSuffix("+sentinel") {
            form = "a redis+sentinel://host:port,…/masterName URL"
        } else if scheme.hasSuffix("+cluster") {
            form = "a redis+cluster://host:port,host:port,… URL"
        } else {
            return hasHost(text, schemes: ["redis", "rediss"]) ? nil : "must be a redis:// or rediss:// URL with a host"
        }
        do {
            _ = try RedisConfiguration(url: text)
            return nil
        } catch {
            return "must be \(form): \(error.reason)"
        }
    }

    /// A browser origin, `scheme://host[:port]` with nothing after it: origins are compared exactly, so a trailing
    /// slash or a path would never match.
    static func isOrigin(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme, !scheme.isEmpty, let host = url.host, !host.isEmpty else {
            return false
        }
        return text.hasPrefix(scheme + "://") && url.path.isEmpty && url.query == nil && url.fragment == nil && url.user == nil
    }

    private static func hasHost(_ text: String, schemes: Set<String>) -> Bool {
        guard text.allSatisfy({ !$0.isWhitespace }), let url = URL(string: text), let scheme = url.scheme?.lowercased(),
            schemes.contains(scheme), let host = url.host, !host.isEmpty
        else {
            return false
        }
        return true
    }
}
