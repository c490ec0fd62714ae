import HookClient
import Testing

@testable import Herald

@Suite struct AuthenticatorTests {
    private let authSite = Site(
        name: "shop",
        authentication: .authURL("http://127.0.0.1:9/auth"),
        authScheme: "Token",
        apiKey: "k",
        userRoomPrefix: "user_",
        publicChannel: "lobby"
    )

    private func authenticator(status: Int, body: String) -> (Authenticator, FakeHooks) {
        let hooks = FakeHooks { _ in HookResponse(status: status, body: Array(body.utf8)) }
        return (Authenticator(hooks: hooks, timeout: .seconds(1)), hooks)
    }

    @Test func roomsFromAuthURLAndTheHeadersTheNodeServiceSent() async throws {
        let (authenticator, hooks) = authenticator(status: 200, body: #"["user_7","News",42]"#)
        let rooms = try await authenticator.rooms(
            for: ClientCredentials(token: "secret", deviceID: "phone", meta: "m1"),
            at: authSite
        )
        #expect(rooms == ["user_7", "News", "42"])
        let request = try #require(hooks.requests.first)
        #expect(request.method == .get)
        #expect(request.url == "http://127.0.0.1:9/auth")
        #expect(request.headers.contains { $0.name == "Authorization" && $0.value == "Token secret" })
        #expect(request.headers.contains { $0.name == "X-META" && $0.value == "m1" })
    }

    @Test(arguments: [
        (401, "[]", "Authentication failed"),
        (500, "", "Auth 500 error"),
        (403, "", "Auth 403 error"),
        (200, #"["news"]"#, "User is missing a private room"),
        (200, #"{"rooms":[]}"#, "Auth response is not a list of rooms"),
        (200, "not json", "Auth response is not a list of rooms"),
    ])
    func refusalsCarryTheNodeServiceMessages(status: Int, body: String, message: String) async {
        let (authenticator, _) = authenticator(status: status, body: body)
        await #expect {
            _ = try await authenticator.rooms(for: ClientCredentials(token: "t"), at: authSite)
        } throws: { error in
            (error as? AuthenticationError)?.message == message
        }
    }

    @Test func publicChannelAdmitsAClientWithoutAUserRoom() async throws {
        let (authenticator, _) = authenticator(status: 200, body: #"["lobby"]"#)
        #expect(try await authenticator.rooms(for: ClientCredentials(token: "t"), at: authSite) == ["lobby"])
    }

    @Test func hookFailuresBecomeClearRefusals() async {
        let slow = Authenticator(hooks: FakeHooks { _ throws(HookError) in throw .timedOut(after: .seconds(1)) }, timeout: .seconds(1))
        await #expect(throws: AuthenticationError.timedOut) {
            _ = try await slow.rooms(for: ClientCredentials(token: "t"), at: authSite)
        }
        let down = Authenticator(
            hooks: FakeHooks { _ throws(HookError) in throw .transportFailed(reason: "refused") },
            timeout: .seconds(1)
        )
        await #expect(throws: AuthenticationError.unreachable) {
            _ = try await down.rooms(for: ClientCredentials(token: "t"), at: authSite)
        }
    }

    @Test func headerInjectionInMetaIsRefusedAsMalformed() async {
        let hooks = FakeHooks { _ throws(HookError) in throw .invalidHeader(name: "X-META") }
        let authenticator = Authenticator(hooks: hooks, timeout: .seconds(1))
        await #expect(throws: AuthenticationError.malformedCredentials) {
            _ = try await authenticator.rooms(for: ClientCredentials(token: "t", meta: "a\r\nX-Evil: 1"), at: authSite)
        }
    }

    @Test func tokenTableGrantsRoomsWithoutCallingAnyHook() async throws {
        let hooks = FakeHooks { _ in HookResponse(status: 500) }
        let site = Site(
            name: "demo",
            authentication: .tokens(["demo-token-alice-0001": ["user_alice", "news"]]),
            apiKey: "k",
            userRoomPrefix: "user_"
        )
        let authenticator = Authenticator(hooks: hooks, timeout: .seconds(1))
        #expect(try await authenticator.rooms(for: ClientCredentials(token: "demo-token-alice-0001"), at: site) == ["user_alice", "news"])
        await #expect(throws: AuthenticationError.rejected) {
            _ = try await authenticator.rooms(for: ClientCredentials(token: "demo-token-alice-0002"), at: site)
        }
        #expect(hooks.requests.isEmpty)
    }
}
