import Herald
import HeraldServer
import Testing

@Suite struct TokenTableTests {
    @Test func tokensMapToTheirRooms() throws {
        let sites = """
            demo:
              apiKey: k
              tokens:
                token-for-alice-0001: [user_alice, news]
                token-for-nobody-001: []
            """
        let site = try #require(try loadStrings(sites: sites).configuration.sites["demo"])
        #expect(site.authentication == .tokens(["token-for-alice-0001": ["user_alice", "news"], "token-for-nobody-001": []]))
    }

    @Test func aShortTokenIsRefusedAtItsLineWithoutShowingIt() {
        let sites = """
            demo:
              apiKey: k
              tokens:
                long-enough-token-1: [a]
                zq-secret-77: [b]
            """
        let error = loadError(sites: sites)
        #expect(error?.file == "sites.yml")
        #expect(error?.line == 5)
        #expect(error?.column == 5)
        #expect(error?.keyPath == "demo.tokens[1]")
        #expect(error?.message.contains("12 characters") == true)
        #expect(error?.description.contains("zq-") == false)
    }

    @Test func aTokenOfExactlyTheMinimumLengthIsAccepted() throws {
        let token = String(repeating: "t", count: SiteAuthentication.minimumTokenLength)
        let site = try loadStrings(sites: "demo:\n  apiKey: k\n  tokens:\n    \(token): [a]\n").configuration.sites["demo"]
        #expect(site?.authentication == .tokens([token: ["a"]]))
        let shorter = String(token.dropLast())
        #expect(loadError(sites: "demo:\n  apiKey: k\n  tokens:\n    \(shorter): [a]\n")?.keyPath == "demo.tokens[0]")
    }

    @Test func aNumericTokenIsRefusedWithoutShowingIt() {
        let error = loadError(sites: "demo:\n  apiKey: k\n  tokens:\n    12345678901234567: [a]\n")
        #expect(error?.description.hasPrefix("sites.yml:4:5: demo.tokens[0]: a token must be a string") == true)
        #expect(error?.description.contains("12345678901234567") == false)
    }

    @Test(arguments: [
        (
            "demo:\n  apiKey: k\n  tokens:\n    long-enough-token-1: user_a\n",
            "sites.yml:4:26: demo.tokens[0]: must be a list, found a string"
        ),
        (
            "demo:\n  apiKey: k\n  tokens:\n    long-enough-token-1: [user_a, 5]\n",
            "sites.yml:4:35: demo.tokens[0][1]: must be a string, found the number 5"
        ),
        (
            "demo:\n  apiKey: k\n  tokens: {}\n",
            "sites.yml:3:11: demo.tokens: must map at least one token to its rooms"
        ),
        (
            "demo:\n  apiKey: k\n  tokens: [long-enough-token-1]\n",
            "sites.yml:3:11: demo.tokens: must be a mapping of keys to values, found a list"
        ),
    ])
    func invalidRoomsAreRefusedWithTheirLocation(sites: String, expected: String) {
        #expect(loadError(sites: sites)?.description == expected)
    }
}
