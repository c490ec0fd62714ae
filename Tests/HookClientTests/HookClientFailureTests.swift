import HookClient
import Testing

extension HookClientTests {
    /// Calls that get no usable answer fail with an error the caller can act on.
    @Suite struct Failures {
        @Test func aSilentSiteTimesOutWithoutHoldingUpOtherCalls() async throws {
            try await withClientAndServer { client, server in
                let clock = ContinuousClock()
                let start = clock.now
                async let slow = client.perform(HookRequest(method: .get, url: server.url("/slow/4000"), timeout: .seconds(20)))
                let error = await hookError(client, HookRequest(method: .get, url: server.url("/hang"), timeout: .milliseconds(300)))
                let timedOutAfter = clock.now - start
                #expect(error == .timedOut(after: .milliseconds(300)))
                // Held up behind the slow call, it would take 4.3 s.
                #expect(timedOutAfter >= .milliseconds(250) && timedOutAfter < .milliseconds(3000), "took \(timedOutAfter)")
                let answer = try await slow
                #expect(answer.status == 200 && answer.text == "slow", "the call in flight alongside completes normally")
            }
        }

        @Test func callsQueuedBehindTheConnectionLimitStillTimeOutOnTime() async throws {
            try await withClientAndServer(configuration: HookClient.Configuration(maxConnectionsPerHost: 1)) { client, server in
                let clock = ContinuousClock()
                let start = clock.now
                let errors = await withTaskGroup(of: HookError?.self) { group in
                    for _ in 0..<10 {
                        group.addTask {
                            await hookError(client, HookRequest(method: .get, url: server.url("/hang"), timeout: .milliseconds(300)))
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                #expect(errors == Array(repeating: .timedOut(after: .milliseconds(300)), count: 10))
                // Timed from the connection instead, ten calls through one connection would take 3 s.
                #expect(clock.now - start < .milliseconds(2000), "waiting for a connection counts against the timeout")
            }
        }

        @Test func theDefaultTimeoutAppliesWhenTheRequestSetsNone() async throws {
            let configuration = HookClient.Configuration(defaultTimeout: .milliseconds(200))
            try await withClientAndServer(configuration: configuration) { client, server in
                let error = await hookError(client, HookRequest(method: .get, url: server.url("/hang")))
                #expect(error == .timedOut(after: .milliseconds(200)))
            }
        }

        @Test func aRefusedConnectionIsATransportFailure() async throws {
            let port = try await TestHTTPServer.closedPort()
            let client = HookClient()
            let error = await hookError(client, HookRequest(method: .get, url: "http://127.0.0.1:\(port)/auth"))
            await client.shutdown()
            guard case .transportFailed(let reason) = error else {
                Issue.record("expected a transport failure, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("\(port)"), "libcurl's message names the endpoint: \(reason)")
        }

        @Test(arguments: [
            "not a url", "/relative/path", "http://", "ftp://127.0.0.1:PORT/x", "file:///etc/passwd", "gopher://127.0.0.1:PORT/",
        ])
        func unusableURLsFailWithoutTouchingTheNetwork(template: String) async throws {
            try await withClientAndServer { client, server in
                let url = template.replacingOccurrences(of: "PORT", with: "\(server.port)")
                let error = await hookError(client, HookRequest(method: .get, url: url))
                #expect(error == .invalidURL(url))
                #expect(server.acceptedConnections == 0)
            }
        }

        @Test(arguments: [
            ("X-META", "{}\r\nX-Injected: 1"), ("X-META", "line\nbreak"), ("X-META", "nul\u{0}"), ("Bad Name", "v"), ("", "v"),
            ("X:Colon", "v"),
        ])
        func headersThatCouldInjectAreRefusedBeforeSending(name: String, value: String) async throws {
            try await withClientAndServer { client, server in
                let error = await hookError(client, HookRequest(method: .get, url: server.url("/echo"), headers: [(name, value)]))
                #expect(error == .invalidHeader(name: name))
                #expect(server.acceptedConnections == 0)
            }
        }

        @Test(arguments: ["/bytes/1001", "/chunked/5000"])
        func aBodyOverTheLimitIsRefused(path: String) async throws {
            try await withClientAndServer(configuration: HookClient.Configuration(maxResponseBytes: 1000)) { client, server in
                let error = await hookError(client, HookRequest(method: .get, url: server.url(path)))
                #expect(error == .responseTooLarge(limit: 1000))
                let next = try await client.perform(HookRequest(method: .get, url: server.url("/status/204")))
                #expect(next.status == 204, "the client keeps working after refusing a body")
            }
        }
    }
}
