import Testing

@testable import HeraldServer

/// Where other instances are reached: `cluster.advertise`, and what an owner record names.
@Suite struct InstanceAddressTests {
    @Test func readsHostAndPortIPv6InBrackets() {
        #expect(InstanceAddress("herald1:1337") == InstanceAddress(host: "herald1", port: 1337))
        #expect(InstanceAddress("[fd00::5]:8080") == InstanceAddress(host: "fd00::5", port: 8080))
    }

    @Test func refusesWhatNamesNoReachablePort() {
        for text in ["herald1", ":1337", "herald1:0", "herald1:70000", "herald1:http", "[]:1337"] {
            #expect(InstanceAddress(text) == nil, "\(text)")
        }
    }

    @Test func aWildcardListenAddressIsAdvertisedAsTheHostName() {
        #expect(AdvertisedAddress.derived(host: "127.0.0.1", port: 4000) == "127.0.0.1:4000")
        #expect(AdvertisedAddress.derived(host: "::1", port: 4000) == "[::1]:4000")
        #expect(!AdvertisedAddress.derived(host: "0.0.0.0", port: 4000).hasPrefix("0.0.0.0"))
    }
}
