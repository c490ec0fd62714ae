/// The server under test, parsed from `--url` (`http://host:port`): the bench speaks plain HTTP and WebSocket to
/// one host and port, so nothing else of the URL matters.
struct ServerTarget: Sendable, CustomStringConvertible {
    /// IPv4 address or host name to connect to.
    let host: String
    /// TCP port.
    let port: Int

    /// Parses `http://host[:port][/]`; the port defaults to 80.
    init(url: String) throws {
        var rest = Substring(url)
        if rest.hasPrefix("http://") {
            rest = rest.dropFirst("http://".count)
        } else if rest.contains("://") {
            throw BenchError.usage("--url must be http://host:port (TLS is not supported), got \(url)")
        }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if let colon = rest.lastIndex(of: ":") {
            guard let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port) else {
                throw BenchError.usage("--url has an invalid port: \(url)")
            }
            self.host = String(rest[..<colon])
            self.port = port
        } else {
            self.host = String(rest)
            self.port = 80
        }
        if host.isEmpty { throw BenchError.usage("--url has no host: \(url)") }
    }

    var description: String { "http://\(host):\(port)" }
}
