import Foundation
import HookClient
import Testing

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
                    try await Task.sleep(for: .milliseconds(100))
                    let clock = ContinuousClock()
                    let start = clock.now
                    await client.shutdown()
                    #expect(clock.now - start < .seconds(1))
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

        #if os(Linux)
            @Test func theDriverThreadEndsWithShutdownAndWithRelease() async throws {
                let before = driverThreadCount()
                let client = HookClient()
                #expect(await threadCount(reaches: before + 1))
                await client.shutdown()
                #expect(await threadCount(reaches: before), "shutdown ends the thread")

                var released: HookClient? = HookClient()
                #expect(await threadCount(reaches: before + 1))
                _ = released?.configuration
                released = nil
                #expect(await threadCount(reaches: before), "releasing the client ends the thread")
            }

            /// Waits up to two seconds for the number of driver threads to become `expected`.
            private func threadCount(reaches expected: Int) async -> Bool {
                for _ in 0..<200 {
                    if driverThreadCount() == expected { return true }
                    try? await Task.sleep(for: .milliseconds(10))
                }
                return false
            }

            /// Threads of this process named as HookClient names its driver thread.
            private func driverThreadCount() -> Int {
                let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
                return tasks.filter { task in
                    let name = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)
                    return name?.trimmingCharacters(in: .whitespacesAndNewlines) == "herald-hooks"
                }.count
            }
        #endif
    }
}
