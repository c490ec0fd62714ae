import HTTPTypes
import Testing

@testable import Herald

@Suite struct ClientAddressResolverTests {
    private static let resolver = ClientAddressResolver(trustedProxies: [
        try! CIDR(parsing: "127.0.0.1"), try! CIDR(parsing: "10.0.0.0/8"), try! CIDR(parsing: "2001:db8::/32"),
    ])

    private static func headers(_ values: String...) -> HTTPFields {
        var fields = HTTPFields()
        for value in values {
            fields.append(HTTPField(name: .xForwardedFor, value: value))
        }
        return fields
    }

    @Test func aSpoofedHeaderFromAnUntrustedPeerIsIgnored() {
        #expect(Self.resolver.clientAddress(peer: "203.0.113.7", headers: Self.headers("198.51.100.1")) == "203.0.113.7")
        #expect(Self.resolver.clientAddress(peer: "::ffff:203.0.113.7", headers: Self.headers("10.0.0.1")) == "::ffff:203.0.113.7")
    }

    @Test func withoutTrustedProxiesThePeerIsTheClient() {
        let resolver = ClientAddressResolver()
        #expect(resolver.clientAddress(peer: "127.0.0.1", headers: Self.headers("198.51.100.1")) == "127.0.0.1")
        #expect(resolver.clientAddress(peer: nil, headers: Self.headers("198.51.100.1")) == nil)
    }

    @Test func aTrustedPeerWithoutTheHeaderIsTheClient() {
        #expect(Self.resolver.clientAddress(peer: "127.0.0.1", headers: HTTPFields()) == "127.0.0.1")
    }

    @Test func theRightMostUntrustedEntryIsTheClient() {
        #expect(Self.resolver.clientAddress(peer: "127.0.0.1", headers: Self.headers("198.51.100.1")) == "198.51.100.1")
        // The client wrote 192.0.2.66 itself; the first proxy saw 198.51.100.1, an inner proxy 10.1.2.3.
        let chain = Self.headers("192.0.2.66, 198.51.100.1, 10.1.2.3")
        #expect(Self.resolver.clientAddress(peer: "127.0.0.1", headers: chain) == "198.51.100.1")
        let split = Self.headers("192.0.2.66", "198.51.100.1,10.1.2.3")
        #expect(Self.resolver.clientAddress(peer: "::ffff:127.0.0.1", headers: split) == "198.51.100.1")
    }

    @Test func everyEntryTrustedMakesTheLeftMostTheClient() {
        let chain = Self.headers("10.9.9.9, 2001:db8::5")
        #expect(Self.resolver.clientAddress(peer: "127.0.0.1", headers: chain) == "10.9.9.9")
    }

    @Test func entriesWithPortsAndIPv6AreRead() {
        #expect(Self.resolver.clientAddress(peer: "127.0.0.1", headers: Self.headers("198.51.100.1:4711")) == "198.51.100.1")
        #expect(Self.resolver.clientAddress(peer: "127.0.0.1", headers: Self.headers("[2001:db9::1]:443")) == "2001:db9::1")
        #expect(Self.resolver.clientAddress(peer: "127.0.0.1", headers: Self.headers("2001:DB9::1")) == "2001:db9::1")
        #expect(Self.resolver.clientAddress(peer: "127.0.0.1", headers: Self.headers("::ffff:198.51.100.1")) == "198.51.100.1")
    }

    @Test func anEntryThatIsNoAddressEndsTheWalkAtTheLastTrustedHop() {
        #expect(Self.resolver.clientAddress(peer: "127.0.0.1", headers: Self.headers("198.51.100.1, junk")) == "127.0.0.1")
        #expect(Self.resolver.clientAddress(peer: "127.0.0.1", headers: Self.headers("unknown, 10.1.1.1")) == "10.1.1.1")
        #expect(Self.resolver.clientAddress(peer: "127.0.0.1", headers: Self.headers("198.51.100.1,,10.1.1.1")) == "10.1.1.1")
        #expect(Self.resolver.clientAddress(peer: "127.0.0.1", headers: Self.headers("")) == "127.0.0.1")
    }
}
