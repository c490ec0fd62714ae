import Foundation
import HookClient
import Testing

extension HookClientTests {
    /// Many calls at once, connection reuse, and cancellation.
    @Suite struct Concurrency {
        @Test func twoHundredConcurrentCallsAllGetTheirOwnAnswer() async throws {
            try await withClientAndServer { client, server in
                let paths = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                    for index in 0..<200 {
                        group.addTask {
                            let response = try await client.perform(HookRequest(method: .get, url: server.url("/echo/\(index)")))
                            let echoed = try JSONDecoder().decode(EchoedRequest.self, from: Data(response.body))
                            return (index, echoed.path)
                        }
                    }
                    var paths: [Int: String] = [:]
                    for try await (index, path) in group { paths[index] = path }
                    return paths
                }
                #expect(paths.count == 200)
                #expect(paths.allSatisfy { $0.value == "/echo/\($0.key)" })
                #expect(server.acceptedConnections <= 128, "at most maxConnectionsPerHost connections to one host")
            }
        }

        @Test func sequentialCallsToOneHostReuseOneConnection() async throws {
            try await withClientAndServer { client, server in
                for index in 0..<20 {
                    let response = try await client.perform(
                        HookRequest(method: index.isMultiple(of: 2) ? .get : .put, url: server.url("/echo/\(index)"), body: nil)
                    )
                    #expect(response.status == 200)
                }
                #expect(server.acceptedConnections == 1)
            }
        }

        @Test func cancellingTheCallerAbandonsTheCallPromptly() async throws {
            try await withClientAndServer { client, server in
                let call = Task {
                    await hookError(client, HookRequest(method: .get, url: server.url("/hang"), timeout: .seconds(30)))
                }
                // In flight once the server has its connection (bounded: 10 s).
                for _ in 0..<1000 where server.acceptedConnections == 0 {
                    try await Task.sleep(for: .milliseconds(10))
                }
                let clock = ContinuousClock()
                let start = clock.now
                call.cancel()
                let error = await call.value
                #expect(error == .cancelled)
                #expect(clock.now - start < .seconds(10), "well short of the calls' 30 s timeout")
                let next = try await client.perform(HookRequest(method: .get, url: server.url("/status/200")))
                #expect(next.status == 200, "the client keeps working after a cancellation")
            }
        }

        @Test func aCallFromAnAlreadyCancelledTaskFailsAsCancelled() async throws {
            try await withClientAndServer { client, server in
                let call = Task {
                    withUnsafeCurrentTask { $0?.cancel() }
                    return await hookError(client, HookRequest(method: .get, url: server.url("/hang")))
                }
                #expect(await call.value == .cancelled)
            }
        }
    }
}
