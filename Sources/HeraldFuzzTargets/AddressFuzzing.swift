import HTTPTypes
import Herald

/// What the connection policy reads from strangers (`X-Forwarded-For`) and from operators (`allowFrom`, `denyFrom`,
/// `trustedProxies` entries).
enum AddressFuzzing {
    private static let resolver = ClientAddressResolver(trustedProxies: [
        try! CIDR(parsing: "127.0.0.0/8"), try! CIDR(parsing: "10.0.0.0/8"), try! CIDR(parsing: "::1"),
    ])

    /// The text as an address, a range and a header: an accepted address prints as text that reads back the same; an
    /// accepted range prints the same way, holds its own network and is not narrower than its prefix says; a header
    /// from a trusted peer resolves to the peer or to an address it holds.
    static func run(_ input: UnsafeRawBufferPointer) {
        let text = String(decoding: input, as: UTF8.self)
        if let address = IPAddress(text) {
            precondition(IPAddress(address.description) == address, "\(text) printed as \(address)")
        }
        if let range = try? CIDR(parsing: text) {
            precondition((try? CIDR(parsing: range.description)) == range, "\(text) printed as \(range)")
            precondition(range.contains(range.network), "\(range) misses its own network")
            precondition((0...range.network.bitCount).contains(range.prefixLength), "\(range) has a bad prefix")
        }
        var headers = HTTPFields()
        headers.append(HTTPField(name: HTTPField.Name("X-Forwarded-For")!, value: text))
        let client = resolver.clientAddress(peer: "127.0.0.1", headers: headers)
        precondition(client == "127.0.0.1" || client.flatMap { IPAddress($0) } != nil, "resolved to \(client ?? "nil")")
    }
}
