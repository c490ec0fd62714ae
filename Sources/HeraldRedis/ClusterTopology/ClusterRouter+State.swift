import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The router's state as ``RedisClient`` shows it: connected once the map is loaded and every master serving a slot is
/// connected; waiting for that, and closing.
extension ClusterRouter {
    func stateChanges() -> AsyncStream<RedisConnectionState> {
        let (stream, continuation) = AsyncStream.makeStream(of: RedisConnectionState.self, bufferingPolicy: .bufferingNewest(32))
        guard let id = state.withLockedValue({ $0.health.observe(continuation) }) else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLockedValue { $0.health.stopObserving(id) }
        }
        return stream
    }

    func waitUntilConnected(timeout: Duration) async throws(RedisError) {
        let promise = eventLoop.makePromise(of: Void.self)
        let immediate: RedisError?? = state.withLockedValue { state in
            switch state.health.visible {
            case .connected: return .some(nil)
            case .closed: return .some(.closed)
            case .connecting, .disconnected:
                _ = state.health.wait(promise)
                return nil
            }
        }
        if let immediate {
            promise.succeed()
            if let error = immediate {
                throw error
            }
            return
        }
        let timer = eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            if self.state.withLockedValue({ $0.health.stopWaiting(promise) }) {
                promise.fail(RedisError.timedOut)
            }
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        do {
            try await promise.futureResult.get()
        } catch {
            throw RedisConnection.redisError(error)
        }
    }

    func close() -> EventLoopFuture<Void> {
        let (connections, waiters) = state.withLockedValue { state in
            state.isClosed = true
            state.timer?.cancel()
            state.timer = nil
            let connections = Array(state.connections.values)
            state.connections = [:]
            state.listeners = []
            return (connections, state.health.close())
        }
        for waiter in waiters {
            waiter.fail(RedisError.closed)
        }
        let closed = connections.map { $0.close() }
        return EventLoopFuture.andAllComplete(closed, on: eventLoop)
    }
}
