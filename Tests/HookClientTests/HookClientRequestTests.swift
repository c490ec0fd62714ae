import Foundation
import HookClient
import Testing

extension HookClientTests {
    /// What the hook site receives and what the caller gets back.
    @Suite struct Requests {
        @Test func getSendsHeadersAsGivenAndReturnsStatusAndBody() async throws {
            try await withClientAndServer { client, server in
                let response = try await client.perform(
                    HookRequest(
                        method: .get,
                        url: server.url("/echo/auth?token=a%20b"),
                        headers: [("Authorization", "Bearer secret-token"), ("X-META", #"{"k":"v"}"#), ("X-Empty", "")]
                    )
                )
                #expect(response.status == 200)
                let echoed = try JSONDecoder().decode(EchoedRequest.self, from: Data(response.body))
                #expect(echoed.method == "GET")
                #expect(echoed.path == "/echo/auth?token=a%20b")
                #expect(echoed.values(of: "Authorization") == ["Bearer secret-token"])
                #expect(echoed.values(of: "X-META") == [#"{"k":"v"}"#])
                #expect(echoed.values(of: "X-Empty") == [""])
                #expect(echoed.values(of: "User-Agent") == ["herald"])
                #expect(echoed.values(of: "Content-Type").isEmpty, "a GET carries no content type")
                #expect(echoed.values(of: "Expect").isEmpty)
                #expect(echoed.body.isEmpty)
            }
        }

        @Test(arguments: [401, 404, 500, 503])
        func errorStatusesAreAnswersNotErrors(status: Int) async throws {
            try await withClientAndServer { client, server in
                let response = try await client.perform(HookRequest(method: .get, url: server.url("/status/\(status)")))
                #expect(response.status == status)
                #expect(response.text == "status \(status)")
            }
        }

        @Test func putSendsTheJSONBodyWithItsContentType() async throws {
            try await withClientAndServer { client, server in
                let json = #"{"id":"42","user":{"last_connected":"2024-05-01T10:00:00.000Z"}}"#
                let response = try await client.perform(
                    HookRequest(
                        method: .put,
                        url: server.url("/echo/users/42"),
                        headers: [("Authorization", "Bearer t"), ("Content-Type", "application/json")],
                        body: Array(json.utf8)
                    )
                )
                #expect(response.status == 200)
                let echoed = try JSONDecoder().decode(EchoedRequest.self, from: Data(response.body))
                #expect(echoed.method == "PUT")
                #expect(echoed.path == "/echo/users/42")
                #expect(echoed.body == json)
                #expect(echoed.values(of: "Content-Type") == ["application/json"])
                #expect(echoed.values(of: "Content-Length") == ["\(json.utf8.count)"])
                #expect(echoed.values(of: "Expect").isEmpty, "no 100-continue round trip")
            }
        }

        @Test func bodilessPutAndPostSendAnEmptyBody() async throws {
            try await withClientAndServer { client, server in
                for method in [HookRequest.Method.put, .post] {
                    let response = try await client.perform(HookRequest(method: method, url: server.url("/echo")))
                    let echoed = try JSONDecoder().decode(EchoedRequest.self, from: Data(response.body))
                    #expect(echoed.method == method.rawValue)
                    #expect(echoed.values(of: "Content-Length") == ["0"])
                    #expect(echoed.values(of: "Content-Type").isEmpty, "no form content type is invented")
                }
            }
        }

        @Test func aRequestMaySetItsOwnUserAgent() async throws {
            try await withClientAndServer(configuration: HookClient.Configuration(userAgent: "herald/test")) { client, server in
                let configured = try await client.perform(HookRequest(method: .get, url: server.url("/echo")))
                let overridden = try await client.perform(
                    HookRequest(method: .get, url: server.url("/echo"), headers: [("User-Agent", "site-probe")])
                )
                let configuredEcho = try JSONDecoder().decode(EchoedRequest.self, from: Data(configured.body))
                let overriddenEcho = try JSONDecoder().decode(EchoedRequest.self, from: Data(overridden.body))
                #expect(configuredEcho.values(of: "User-Agent") == ["herald/test"])
                #expect(overriddenEcho.values(of: "User-Agent") == ["site-probe"])
            }
        }

        @Test func aBodyUpToTheLimitArrivesWhole() async throws {
            try await withClientAndServer(configuration: HookClient.Configuration(maxResponseBytes: 10_000)) { client, server in
                let sized = try await client.perform(HookRequest(method: .get, url: server.url("/bytes/10000")))
                let chunked = try await client.perform(HookRequest(method: .get, url: server.url("/chunked/10000")))
                #expect(sized.body == Array(repeating: UInt8(ascii: "x"), count: 10_000))
                #expect(chunked.body == Array(repeating: UInt8(ascii: "y"), count: 10_000))
            }
        }
    }
}
