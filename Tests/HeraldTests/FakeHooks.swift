import HookClient
import NIOConcurrencyHelpers

/// A ``HookTransport`` that answers from a script and records what it was asked.
final class FakeHooks: HookTransport {
    private let answer: @Sendable (HookRequest) async throws(HookError) -> HookResponse
    private let recorded = NIOLockedValueBox<[HookRequest]>([])

    init(answer: @escaping @Sendable (HookRequest) async throws(HookError) -> HookResponse) {
        self.answer = answer
    }

    var requests: [HookRequest] { recorded.withLockedValue { $0 } }

    func perform(_ request: HookRequest) async throws(HookError) -> HookResponse {
        recorded.withLockedValue { $0.append(request) }
        return try await answer(request)
    }
}
