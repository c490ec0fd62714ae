import Foundation
import NIOConcurrencyHelpers
import Testing

@testable import HookClient

extension HookClientTests {
    /// Shutting a client down, and letting one go.
    @Suite struct Lifecycle {
        @Test func shutdownFailsCallsInFlightAndReturnsPromptly() async throws {
            try await withClientAndServer { client, server in
                try await withThrowingTaskGroup(of: HookError?.self) { group in
                    for _ in 0..<5 {
                        group.addTask {
                            await hookError(client, HookRequest(method: .get, url: server.url("/hang"), timeout: .seconds(30)))
                        }
                    }
                    // In flight once the server has their connections (bounded: 10 s).
                    for _ in 0..<1000 where server.acceptedConnections < 5 {
                        try await Task.sleep(for: .milliseconds(10))
                    }
                    let clock = ContinuousClock()
                    let start = clock.now
                    await client.shutdown()
                    #expect(clock.now - start < .seconds(10), "well short of the calls' 30 s timeout")
                    var errors: [HookError?] = []
                    for try await error in group { errors.append(error) }
                    #expect(errors == Array(repeating: .shutDown, count: 5))
                }
            }
        }

        @Test func callsAfterShutdownFailAndShutdownMayBeRepeated() async throws {
            try await withClientAndServer { client, server in
                await client.shutdown()
                await client.shutdown()
                let error = await hookError(client, HookRequest(method: .get, url: server.url("/echo")))
                #expect(error == .shutDown)
                #expect(server.acceptedConnections == 0)
            }
        }

        @Test func theDriverThreadEndsWithShutdownAndWithRelease() async throws {
            let client = HookClient()
            let running = client.driverThreadRunning
            await client.shutdown()
            #expect(await running.becomes(false), "shutdown ends the thread")

            var released: HookClient? = HookClient()
            let releasedRunning = try #require(released?.driverThreadRunning)
            #expect(releasedRunning.withLockedValue { $0 })
            released = nil
            #expect(await releasedRunning.becomes(false), "releasing the client ends the thread")
        }
    }
}

extension NIOLockedValueBox<Bool> {
    /// Waits up to two seconds for the value to become `expected`.
    fileprivate func becomes(_ expected: Bool) async -> Bool {
        for _ in 0..<200 {
            if withLockedValue({ $0 }) == expected { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }
}
