import Testing

@testable import Herald

@Suite struct CIDRTests {
    @Test(arguments: [
        ("192.0.2.1", "192.0.2.1"),
        ("0.0.0.0", "0.0.0.0"),
        ("255.255.255.255", "255.255.255.255"),
        ("::", "::"),
        ("::1", "::1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("fe80::1:2:3:4", "fe80::1:2:3:4"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
        ("1::", "1::"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("::FFFF:c000:0201", "192.0.2.1"),
        ("64:ff9b::192.0.2.1", "64:ff9b::c000:201"),
    ])
    func addressesReadInEveryTextForm(text: String, expected: String) {
        #expect(IPAddress(text)?.description == expected)
    }

    @Test(arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", " 1.2.3.4", "1..2.3", "a.b.c.d", ":", ":::",
        "1:::2", "1:2", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "1:2:3:4:5:6:7::8", "::1.2.3", "1.2.3.4::",
        "::g", "fe80::1%eth0", "1:", ":1", "1.2.3.4/8", String(repeating: "1", count: 100),
    ])
    func malformedAddressesAreRefused(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func rangesMatchByPrefix() throws {
        let private10 = try CIDR(parsing: "10.0.0.0/8")
        #expect(private10.contains(try #require(IPAddress("10.255.1.2"))))
        #expect(!private10.contains(try #require(IPAddress("11.0.0.0"))))
        let documentation = try CIDR(parsing: "2001:db8::/32")
        #expect(documentation.contains(try #require(IPAddress("2001:db8:ffff::1"))))
        #expect(!documentation.contains(try #require(IPAddress("2001:db9::"))))
        let odd = try CIDR(parsing: "2001:db8:8000::/33")
        #expect(odd.contains(try #require(IPAddress("2001:db8:8000::1"))))
        #expect(!odd.contains(try #require(IPAddress("2001:db8:7fff::1"))))
        let deep = try CIDR(parsing: "2001:db8::ff00/120")
        #expect(deep.contains(try #require(IPAddress("2001:db8::ffab"))))
        #expect(!deep.contains(try #require(IPAddress("2001:db8::1:ffab"))))
    }

    @Test func aSingleAddressIsItsOwnRangeAndZeroPrefixHoldsItsWholeFamily() throws {
        let one = try CIDR(parsing: "192.0.2.7")
        #expect(one.prefixLength == 32)
        #expect(one.contains(try #require(IPAddress("192.0.2.7"))))
        #expect(!one.contains(try #require(IPAddress("192.0.2.8"))))
        #expect(try CIDR(parsing: "::1").prefixLength == 128)
        let everyV4 = try CIDR(parsing: "0.0.0.0/0")
        #expect(everyV4.contains(try #require(IPAddress("203.0.113.9"))))
        #expect(!everyV4.contains(try #require(IPAddress("::1"))))
        let everyV6 = try CIDR(parsing: "::/0")
        #expect(everyV6.contains(try #require(IPAddress("2001:db8::1"))))
        #expect(!everyV6.contains(try #require(IPAddress("203.0.113.9"))))
    }

    @Test func ipv4MappedAddressesAndRangesFollowIPv4Rules() throws {
        let mappedClient = try #require(IPAddress("::ffff:10.1.2.3"))
        #expect(try CIDR(parsing: "10.0.0.0/8").contains(mappedClient))
        let mappedRange = try CIDR(parsing: "::ffff:10.0.0.0/104")
        #expect(mappedRange == (try CIDR(parsing: "10.0.0.0/8")))
        #expect(mappedRange.contains(try #require(IPAddress("10.9.9.9"))))
        #expect(try CIDR(parsing: "::ffff:192.0.2.1") == (try CIDR(parsing: "192.0.2.1/32")))
        #expect(throws: CIDR.ParseError.invalidPrefixLength(maximum: 128)) { try CIDR(parsing: "::ffff:10.0.0.0/80") }
    }

    @Test(arguments: [
        ("10.0.0.0/33", CIDR.ParseError.invalidPrefixLength(maximum: 32)),
        ("10.0.0.0/", .invalidPrefixLength(maximum: 32)),
        ("10.0.0.0/-1", .invalidPrefixLength(maximum: 32)),
        ("10.0.0.0/+8", .invalidPrefixLength(maximum: 32)),
        ("10.0.0.0/0008", .invalidPrefixLength(maximum: 32)),
        ("::/129", .invalidPrefixLength(maximum: 128)),
        ("10.0.0.0/8/8", .invalidPrefixLength(maximum: 32)),
        ("example.com/8", .invalidAddress),
        ("/8", .invalidAddress),
        ("192.168.1.1/16", .hostBitsSet(suggestion: "192.168.0.0/16")),
        ("2001:db8::1/32", .hostBitsSet(suggestion: "2001:db8::/32")),
    ])
    func malformedRangesAreRefusedWithTheReason(text: String, expected: CIDR.ParseError) {
        #expect(throws: expected) { try CIDR(parsing: text) }
    }

    @Test func denyWinsOverAllowAndAnEmptyAllowListAllowsEveryone() throws {
        let policy = AddressPolicy(
            allowFrom: [try CIDR(parsing: "10.0.0.0/8")],
            denyFrom: [try CIDR(parsing: "10.66.0.0/16")]
        )
        #expect(policy.permits(text: "10.1.1.1"))
        #expect(policy.permits(text: "::ffff:10.1.1.1"))
        #expect(!policy.permits(text: "10.66.1.1"))
        #expect(!policy.permits(text: "192.0.2.1"))
        let denyOnly = AddressPolicy(denyFrom: [try CIDR(parsing: "192.0.2.0/24")])
        #expect(denyOnly.permits(text: "198.51.100.1"))
        #expect(!denyOnly.permits(text: "::ffff:192.0.2.200"))
    }

    @Test func anUnknownAddressPassesOnlyTheEmptyPolicy() throws {
        #expect(AddressPolicy().permits(text: nil))
        #expect(AddressPolicy().permits(text: "not an address"))
        let denyOnly = AddressPolicy(denyFrom: [try CIDR(parsing: "192.0.2.0/24")])
        #expect(!denyOnly.permits(text: nil))
        #expect(!denyOnly.permits(text: "unix socket"))
    }
}
