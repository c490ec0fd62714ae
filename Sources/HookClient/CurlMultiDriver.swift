import Foundation
import Logging
import NIOConcurrencyHelpers

/// The single thread that runs every hook call of a ``HookClient`` through one libcurl multi handle, so
/// thousands of concurrent calls cost one thread and no event loop ever waits on the network.
///
/// Callers talk to the thread only through the locked ``CurlInbox`` and a `curl_multi_wakeup`; the thread
/// (``CurlMultiLoop``) owns the multi handle and every transfer added to it.
final class CurlMultiDriver: Sendable {
    /// The name `ps`, `top -H` and debuggers show for the driver thread (at most 15 bytes on Linux).
    static let threadName = "herald-hooks"

    private let multi: CurlMultiHandle
    private let inbox = NIOLockedValueBox(CurlInbox())
    /// True while the driver thread runs; lets tests see that shutdown and release end the thread.
    let threadRunning = NIOLockedValueBox(false)

    /// Creates the multi handle and starts the driver thread.
    init(configuration: HookClient.Configuration, logger: Logger) {
        let multi = CurlMultiHandle(configuration: configuration)
        self.multi = multi
        let inbox = self.inbox
        let threadRunning = self.threadRunning
        threadRunning.withLockedValue { $0 = true }
        let thread = Thread {
            // Set from inside the thread: only then does Foundation pass the name on to the operating system.
            Thread.current.name = Self.threadName
            CurlMultiLoop(multi: multi, inbox: inbox, logger: logger).run()
            threadRunning.withLockedValue { $0 = false }
        }
        thread.start()
    }

    /// Hands `transfer` to the driver thread; false when the driver is stopping, in which case the caller still
    /// owns the transfer and must complete it.
    func submit(_ transfer: CurlTransfer) -> Bool {
        inbox.withLockedValue { inbox in
            guard inbox.add(transfer) else { return false }
            multi.wakeUp()
            return true
        }
    }

    /// Asks the driver thread to abandon `transfer` and complete it with ``HookError/cancelled``.
    ///
    /// The flag on the transfer covers a cancellation that overtakes the submission: the driver checks it when
    /// it adds the transfer.
    func cancel(_ transfer: CurlTransfer) {
        transfer.requestCancellation()
        inbox.withLockedValue { inbox in
            if inbox.cancel(transfer) { multi.wakeUp() }
        }
    }

    /// Asks the driver thread to fail every call with ``HookError/shutDown`` and exit, without waiting.
    func stop() {
        inbox.withLockedValue { inbox in
            if inbox.stop(waiter: nil) { multi.wakeUp() }
        }
    }

    /// Stops the driver thread and returns once it has failed every call and released its connections.
    func stopAndWait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isWaiting = inbox.withLockedValue { inbox in
                guard inbox.stop(waiter: continuation) else { return false }
                multi.wakeUp()
                return true
            }
            if !isWaiting { continuation.resume() }
        }
    }

}
