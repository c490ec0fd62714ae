import HookClient
import Testing

extension HookClientTests {
    /// HTTPS to a site whose certificate only a private CA bundle vouches for.
    @Suite(.enabled(if: HTTPSTestServer.toolsAvailable, "needs the openssl and python3 commands"))
    struct HTTPS {
        @Test func theConfiguredCABundleLetsTheCallThrough() async throws {
            let server = try await HTTPSTestServer.start()
            defer { server.stop() }
            let client = HookClient(configuration: HookClient.Configuration(caBundlePath: server.certificatePath))
            let response: HookResponse
            do {
                response = try await client.perform(HookRequest(method: .get, url: server.url("/auth")))
            } catch {
                await client.shutdown()
                throw error
            }
            await client.shutdown()
            #expect(response.status == 200)
            #expect(response.text == "secure hello")
        }

        @Test func withoutTheBundleTheCertificateIsRejected() async throws {
            let server = try await HTTPSTestServer.start()
            defer { server.stop() }
            let client = HookClient()
            let error = await hookError(client, HookRequest(method: .get, url: server.url("/auth")))
            await client.shutdown()
            guard case .transportFailed(let reason) = error else {
                Issue.record("expected a transport failure, got \(String(describing: error))")
                return
            }
            #expect(reason.lowercased().contains("certificate"), "\(reason)")
        }
    }
}
