internal import CCurl
import Logging
import NIOConcurrencyHelpers

/// The driver thread's work: add submitted transfers, let libcurl move bytes, complete finished transfers,
/// sleep in `curl_multi_poll` until a socket, a libcurl timer or a wakeup needs attention.
///
/// Not `Sendable`: created on the driver thread and used only there. Holds a strong reference to each
/// transfer while its easy handle is in the multi handle, which keeps libcurl's unretained pointers valid.
final class CurlMultiLoop {
    /// Upper bound on one wait; libcurl shortens it to its own next timer, and wakeups end it early.
    private static let pollTimeoutMilliseconds: Int32 = 60_000

    private let multi: CurlMultiHandle
    private let inbox: NIOLockedValueBox<CurlInbox>
    private let logger: Logger
    private var active: [ObjectIdentifier: CurlTransfer] = [:]

    init(multi: CurlMultiHandle, inbox: NIOLockedValueBox<CurlInbox>, logger: Logger) {
        self.multi = multi
        self.inbox = inbox
        self.logger = logger
    }

    /// Runs until the driver is stopped, then fails what is left with ``HookError/shutDown``, cleans up the
    /// multi handle (closing cached connections) and resumes whoever waits in `shutdown()`.
    func run() {
        logger.debug("hook driver started")
        while true {
            let work = inbox.withLockedValue { $0.takeWork() }
            work.additions.forEach(add)
            work.cancellations.forEach(cancel)
            if work.isStopping { break }
            performAndCollect()
            let code = curl_multi_poll(multi.pointer, nil, 0, Self.pollTimeoutMilliseconds, nil)
            if code != CURLM_OK {
                logger.error("curl_multi_poll failed", metadata: ["error": "\(String(cString: curl_multi_strerror(code)))"])
            }
        }
        for transfer in active.values {
            curl_multi_remove_handle(multi.pointer, transfer.easy)
            transfer.complete(with: .failure(.shutDown))
        }
        active.removeAll()
        let waiters = inbox.withLockedValue { $0.markStopped() }
        curl_multi_cleanup(multi.pointer)
        logger.debug("hook driver stopped")
        waiters.forEach { $0.resume() }
    }

    private func add(_ transfer: CurlTransfer) {
        guard !transfer.isCancellationRequested else {
            transfer.complete(with: .failure(.cancelled))
            return
        }
        let code = curl_multi_add_handle(multi.pointer, transfer.easy)
        guard code == CURLM_OK else {
            transfer.complete(with: .failure(.transportFailed(reason: String(cString: curl_multi_strerror(code)))))
            return
        }
        active[ObjectIdentifier(transfer)] = transfer
    }

    /// Removing the handle mid-transfer makes libcurl close its connection rather than return it to the cache.
    private func cancel(_ transfer: CurlTransfer) {
        guard active.removeValue(forKey: ObjectIdentifier(transfer)) != nil else { return }
        curl_multi_remove_handle(multi.pointer, transfer.easy)
        transfer.complete(with: .failure(.cancelled))
    }

    private func performAndCollect() {
        var running: Int32 = 0
        let code = curl_multi_perform(multi.pointer, &running)
        if code != CURLM_OK {
            logger.error("curl_multi_perform failed", metadata: ["error": "\(String(cString: curl_multi_strerror(code)))"])
        }
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi.pointer, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let result = message.pointee.data.result
            guard let transfer = CurlTransfer.owning(easy: easy),
                active.removeValue(forKey: ObjectIdentifier(transfer)) != nil
            else { continue }
            curl_multi_remove_handle(multi.pointer, easy)
            transfer.complete(withCode: result)
        }
    }
}
