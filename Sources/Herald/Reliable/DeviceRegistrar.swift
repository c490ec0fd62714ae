import Logging
import NIOConcurrencyHelpers

/// What every reliable session (``DeviceSession``, ``DeviceQueueFollower``) asks of the store about its device's
/// registration: registering it at admission, registering it again until the store answers, and recording the
/// socket's disconnect when it leaves — only if the store ever counted the socket, so an uncounted socket is never
/// subtracted.
final class DeviceRegistrar: Sendable {
    let device: DeviceKey
    private let store: any MessageStore
    private let logger: Logger
    private let metrics: SiteMetrics
    private let socketID: String
    /// Whether the store counts the socket among the device's connected ones.
    private let counted = NIOLockedValueBox(false)

    init(device: DeviceKey, socketID: String, store: any MessageStore, logger: Logger, metrics: SiteMetrics) {
        self.device = device
        self.socketID = socketID
        self.store = store
        self.logger = logger
        self.metrics = metrics
    }

    /// Registers the device while its socket is being admitted: the store's answer, or nil when it could not be
    /// reached (logged; the session registers again once the socket is connected).
    func registerAtAdmission(sharedRooms: [String], maxDevices: Int) async -> DeviceRegistration? {
        do {
            let outcome = try await store.connect(device, sharedRooms: sharedRooms, maxDevices: maxDevices)
            noteCounted(outcome)
            return outcome
        } catch {
            logger.warning("device registration failed: \(error); registering again once connected", metadata: metadata)
            return nil
        }
    }

    /// Registers the device (or, `resuming`, asks for its backlog without counting the socket again) until the store
    /// answers, pausing as `retry` does. Returns the backlog, or nil when the device was refused (logged) or the
    /// task was cancelled (the socket left). Evicted devices are counted in the site's metrics.
    func registerUntilAnswered(
        sharedRooms: [String],
        maxDevices: Int,
        resuming: Bool,
        retry: StoreRetry
    ) async -> DeviceBacklog? {
        var outcome: DeviceRegistration?
        let what = resuming ? "device resume" : "device registration"
        let answered = await retry.run(what, logger: logger, metadata: metadata) { () throws(StoreError) in
            outcome =
                resuming
                ? try await store.resume(device, sharedRooms: sharedRooms, maxDevices: maxDevices)
                : try await store.connect(device, sharedRooms: sharedRooms, maxDevices: maxDevices)
        }
        guard answered, let outcome else { return nil }
        noteCounted(outcome)
        // A socket that left meanwhile is recorded as gone by disconnect(after:), which waits for this task.
        guard !Task.isCancelled else { return nil }
        switch outcome {
        case .refused:
            logger.warning("device refused once the store answered: the user has too many devices", metadata: metadata)
            return nil
        case .registered(let backlog, let evicted):
            metrics.evictedDevices(evicted)
            return backlog
        }
    }

    /// Records the socket's disconnect once `work` (the session's last store update) is done, if the store counted
    /// the socket.
    func disconnect(after work: Task<Void, Never>?) -> Task<Void, Never> {
        Task { [self] in
            await work?.value
            guard counted.withLockedValue({ $0 }) else { return }
            do {
                try await store.disconnect(device)
            } catch {
                logger.warning("device disconnect not recorded: \(error)", metadata: metadata)
            }
        }
    }

    private func noteCounted(_ outcome: DeviceRegistration) {
        if case .registered = outcome {
            counted.withLockedValue { $0 = true }
        }
    }

    /// Built when logged rather than kept, so a connected device holds no metadata dictionary.
    var metadata: Logger.Metadata {
        ["site": "\(device.site)", "socketId": "\(socketID)", "deviceId": "\(device.deviceID)"]
    }
}
