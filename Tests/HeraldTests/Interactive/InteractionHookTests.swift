import HookClient
import SocketIO
import Testing

@testable import Herald

@Suite struct InteractionHookTests {
    private let site = Site(name: "talk", authentication: .tokens([:]), authScheme: "Token", apiKey: "k")

    private func call(_ answer: @escaping @Sendable (HookRequest) async throws(HookError) -> HookResponse) async
        -> (Result<InteractionHook.Verdict, CommandFailure>, FakeHooks)
    {
        let hooks = FakeHooks(answer: answer)
        let hook = InteractionHook(hooks: hooks, timeout: .seconds(1))
        let body = InteractionHook.body(
            ["room": "chat"],
            site: site,
            socketID: "s1",
            credentials: ClientCredentials(token: "tok", deviceID: "phone", meta: nil)
        )
        return (await hook.call("http://127.0.0.1:9/subscribe", body: body, token: "tok", site: site), hooks)
    }

    @Test func postsTheJSONBodyWithTheClientsToken() async throws {
        let (result, hooks) = await call { _ in HookResponse(status: 200) }
        #expect(result == .success(.allowed(nil)))
        let request = try #require(hooks.requests.first)
        #expect(request.method == .post)
        #expect(request.headers.contains { $0.name == "Authorization" && $0.value == "Token tok" })
        let body = try JSONValue(parsing: String(decoding: request.body ?? [], as: UTF8.self))
        #expect(body == ["room": "chat", "site": "talk", "socket": "s1", "token": "tok", "deviceId": "phone"])
    }

    @Test func readsAllowedAnswersAndRefusals() async {
        #expect(await call { _ in HookResponse(status: 200, body: Array(#"{"args":[1]}"#.utf8)) }.0 == .success(.allowed(["args": [1]])))
        #expect(await call { _ in HookResponse(status: 200, body: Array(" \n".utf8)) }.0 == .success(.allowed(nil)))
        #expect(
            await call { _ in HookResponse(status: 403, body: Array(#"{"error":"Members only"}"#.utf8)) }.0
                == .success(.refused(CommandFailure(.forbidden, "Members only")))
        )
        #expect(
            await call { _ in HookResponse(status: 403, body: Array("nope".utf8)) }.0
                == .success(.refused(CommandFailure(.forbidden, "Forbidden")))
        )
    }

    @Test func aLongRefusalReasonIsCut() async {
        let reason = String(repeating: "x", count: 5_000)
        let (result, _) = await call { _ in HookResponse(status: 403, body: Array(#"{"error":"\#(reason)"}"#.utf8)) }
        guard case .success(.refused(let failure)) = result else {
            Issue.record("not refused: \(result)")
            return
        }
        #expect(failure.message.count == InteractionHook.maxReasonLength)
    }

    @Test func failuresHaveStableCodes() async {
        #expect(await code { _ in HookResponse(status: 500) } == .hookFailed)
        #expect(await code { _ in HookResponse(status: 200, body: Array("<html>".utf8)) } == .hookInvalidAnswer)
        #expect(await code { _ throws(HookError) in throw .timedOut(after: .seconds(1)) } == .hookTimeout)
        #expect(await code { _ throws(HookError) in throw .transportFailed(reason: "refused") } == .hookUnavailable)
        #expect(await code { _ throws(HookError) in throw .invalidHeader(name: "Authorization") } == .invalidRequest)
    }

    private func code(_ answer: @escaping @Sendable (HookRequest) async throws(HookError) -> HookResponse) async -> CommandFailure.Code? {
        guard case .failure(let failure) = await call(answer).0 else { return nil }
        return failure.code
    }
}
