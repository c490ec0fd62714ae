/// Performs hook calls; the seam between Herald's domain and the network, so the domain is tested in memory.
public protocol HookTransport: Sendable {
    /// Performs `request` and returns the answer, whatever its status.
    ///
    /// Throws ``HookError`` when there is no answer. Never blocks the calling thread.
    func perform(_ request: HookRequest) async throws(HookError) -> HookResponse
}
