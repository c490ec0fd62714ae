public import HTTPTypes

/// Finds the address of the client behind a request: the TCP peer's, or, when the peer is one of the
/// `trustedProxies`, the one its `X-Forwarded-For` names.
///
/// The header is read from the right, the way each proxy appends the address it saw: the right-most entry that is not
/// itself a trusted proxy is the client. Entries further left were written by the client or by proxies nobody
/// vouches for, so a client cannot choose its address by sending the header itself. When every entry is a trusted
/// proxy the left-most is the client; an entry that is no address ends the walk at the last trusted hop read. A peer
/// that is no trusted proxy is the client whatever the header says.
public struct ClientAddressResolver: Sendable, Hashable {
    /// Proxies whose `X-Forwarded-For` is believed.
    public let trustedProxies: [CIDR]

    /// A resolver believing the header only from `trustedProxies` (empty: never).
    public init(trustedProxies: [CIDR] = []) {
        self.trustedProxies = trustedProxies
    }

    /// The client's address for a request from `peer` (the TCP peer's address text) with `headers`; nil when the peer
    /// is unknown. The answer is the peer text unchanged when the header is not believed, else the entry's address
    /// in its usual text.
    public func clientAddress(peer: String?, headers: HTTPFields) -> String? {
        guard !trustedProxies.isEmpty, let peer, isTrusted(IPAddress(peer)) else { return peer }
        let entries = headers[values: .xForwardedFor].flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
        return clientAddress(peer: peer, forwardedFor: entries)
    }

    /// The client's address given the header's entries in order (left to right), behind a trusted `peer`.
    func clientAddress(peer: String, forwardedFor entries: [Substring]) -> String {
        var client = peer
        for entry in entries.reversed() {
            guard let address = IPAddress(forwardedEntry: entry) else { break }
            client = address.description
            if !isTrusted(address) { break }
        }
        return client
    }

    private func isTrusted(_ address: IPAddress?) -> Bool {
        guard let address else { return false }
        return trustedProxies.contains { $0.contains(address) }
    }
}

extension HTTPField.Name {
    /// `X-Forwarded-For`: the addresses a request came through, appended by each proxy.
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
