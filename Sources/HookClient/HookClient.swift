public import Logging
import NIOConcurrencyHelpers

/// Herald's hook caller: performs `authUrl` and `updateUserUrl` calls (and any other small HTTP call) without
/// blocking the calling thread, however many are in flight.
///
/// All calls of one client share one libcurl multi handle driven by one dedicated thread; connections to a
/// host are kept and reused across calls. Create one client per process and keep it for the process's life.
///
/// Call ``shutdown()`` before exit to fail pending calls with ``HookError/shutDown`` and close connections
/// deterministically. A client released without `shutdown()` still stops its thread (asynchronously).
public final class HookClient: HookTransport {
    /// The limits every call of this client obeys.
    public let configuration: Configuration
    private let driver: CurlMultiDriver

    /// Whether the driver thread is still running (for tests).
    var driverThreadRunning: NIOLockedValueBox<Bool> { driver.threadRunning }

    /// Creates a client and starts its driver thread; initialises libcurl on first use in the process.
    public init(configuration: Configuration = Configuration(), logger: Logger = Logger(label: "herald.hook-client")) {
        self.configuration = configuration
        self.driver = CurlMultiDriver(configuration: configuration, logger: logger)
    }

    deinit {
        driver.stop()
    }

    /// Performs `request` and returns the answer, whatever its status (a 401 or 500 is an answer, not an error).
    ///
    /// The timeout is `request.timeout ?? configuration.defaultTimeout` for the whole call, connection
    /// included. Cancelling the calling task abandons the transfer and throws ``HookError/cancelled``.
    /// Throws ``HookError/invalidURL(_:)`` or ``HookError/invalidHeader(name:)`` before any network activity.
    public func perform(_ request: HookRequest) async throws(HookError) -> HookResponse {
        let transfer = try CurlTransfer(request: request, configuration: configuration)
        let driver = self.driver
        return try await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                transfer.attach(continuation)
                if !driver.submit(transfer) {
                    transfer.complete(with: .failure(.shutDown))
                }
            }
        } onCancel: {
            driver.cancel(transfer)
        }.get()
    }

    /// Stops the driver thread: every call in flight or made later fails with ``HookError/shutDown``, and
    /// cached connections are closed. Returns once the thread has done so; never blocks a thread while waiting.
    /// Safe to call more than once and concurrently.
    public func shutdown() async {
        await driver.stopAndWait()
    }
}
