import HookClient
import Testing

/// Every HookClient test, run one at a time: timing assertions and the driver-thread census in
/// ``Lifecycle`` must not compete with other clients on a two-core machine.
@Suite(.serialized) struct HookClientTests {}

/// Runs `body` with a fresh test server and client, then shuts both down whatever happened.
func withClientAndServer<T>(
    configuration: HookClient.Configuration = HookClient.Configuration(),
    _ body: (HookClient, TestHTTPServer) async throws -> T
) async throws -> T {
    let server = try await TestHTTPServer.start()
    let client = HookClient(configuration: configuration)
    do {
        let result = try await body(client, server)
        await client.shutdown()
        try await server.stop()
        return result
    } catch {
        await client.shutdown()
        try? await server.stop()
        throw error
    }
}

/// The error `client` threw for `request`, or nil when it answered.
func hookError(_ client: HookClient, _ request: HookRequest) async -> HookError? {
    do {
        _ = try await client.perform(request)
        return nil
    } catch {
        return error
    }
}
