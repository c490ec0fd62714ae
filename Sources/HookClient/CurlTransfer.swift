internal import CCurl
import NIOConcurrencyHelpers

/// One hook call's libcurl state: the easy handle, the memory it points into, and the answer received so far.
///
/// Ownership (hence `@unchecked Sendable`): the calling task creates and configures the transfer, then hands it
/// to the driver thread through ``CurlMultiDriver``'s locked inbox, which orders the two sides. From then on
/// only the driver thread touches the easy handle, `responseBody`, `exceededLimit` and the continuation; if
/// the inbox refuses the transfer (client shut down), the driver never sees it and the caller completes it
/// instead. The one field both sides share, the cancellation request, sits behind its own lock.
///
/// libcurl holds unretained pointers to this object (`CURLOPT_PRIVATE`, `CURLOPT_WRITEDATA`); they stay valid
/// because the driver keeps a strong reference for exactly as long as the easy handle is in the multi handle.
final class CurlTransfer: @unchecked Sendable {
    /// The easy handle (`CURL *`), freed with the transfer.
    let easy: UnsafeMutableRawPointer
    /// The URL as the caller wrote it, for error reports.
    let urlString: String
    /// The whole-transfer limit given to libcurl, reported back in ``HookError/timedOut(after:)``.
    let timeout: Duration
    /// The largest body accepted.
    let responseLimit: Int
    /// Whether the write callback refused data because the body outgrew `responseLimit`.
    private(set) var exceededLimit = false

    /// The parsed URL (`CURLOPT_CURLU`); libcurl reads it during the transfer, so it lives as long as the handle.
    let url: OpaquePointer
    /// The header lines (`CURLOPT_HTTPHEADER`); libcurl reads them during the transfer.
    let headerList: UnsafeMutablePointer<curl_slist>?
    /// Where libcurl writes its failure text (`CURLOPT_ERRORBUFFER`), `CURL_ERROR_SIZE` bytes.
    let errorBuffer: UnsafeMutablePointer<CChar>

    private var responseBody: [UInt8] = []
    private var continuation: CheckedContinuation<Result<HookResponse, HookError>, Never>?
    private let cancellation = NIOLockedValueBox(false)

    /// Validates `request` and prepares its easy handle; throws before any network activity when the URL or
    /// a header is unusable.
    init(request: HookRequest, configuration: HookClient.Configuration) throws(HookError) {
        let headerLines = try request.curlHeaderLines()
        let url = try CurlURLParser.parse(request.url)
        guard let easy = curl_easy_init() else {
            curl_url_cleanup(url)
            throw .transportFailed(reason: "libcurl could not create a transfer")
        }
        var headerList: UnsafeMutablePointer<curl_slist>?
        for line in headerLines {
            guard let appended = curl_slist_append(headerList, line) else {
                curl_slist_free_all(headerList)
                curl_easy_cleanup(easy)
                curl_url_cleanup(url)
                throw .transportFailed(reason: "libcurl could not allocate the header list")
            }
            headerList = appended
        }
        self.easy = easy
        self.url = url
        self.headerList = headerList
        self.urlString = request.url
        self.timeout = request.timeout ?? configuration.defaultTimeout
        self.responseLimit = configuration.maxResponseBytes
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        try configureEasyHandle(for: request, configuration: configuration)
    }

    deinit {
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        curl_url_cleanup(url)
        errorBuffer.deallocate()
    }

    /// The transfer behind an easy handle the multi handle reported, through `CURLOPT_PRIVATE`.
    ///
    /// Only valid while the driver still holds the transfer, which it does until it removes the handle.
    static func owning(easy: UnsafeMutableRawPointer) -> CurlTransfer? {
        var context: UnsafeMutableRawPointer?
        guard ccurl_easy_getinfo_pointer(easy, CURLINFO_PRIVATE, &context) == CURLE_OK, let context else { return nil }
        return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    }

    /// The pointer libcurl hands back to callbacks and `CURLINFO_PRIVATE`.
    var unretainedPointer: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// Stores where the answer goes; called once, before the transfer is handed to the driver.
    func attach(_ continuation: CheckedContinuation<Result<HookResponse, HookError>, Never>) {
        self.continuation = continuation
    }

    /// Resumes the caller with `result`; later calls are ignored, so a transfer completes exactly once.
    func complete(with result: Result<HookResponse, HookError>) {
        continuation?.resume(returning: result)
        continuation = nil
    }

    /// Completes the transfer from libcurl's final result code.
    func complete(withCode code: CURLcode) {
        guard code == CURLE_OK else {
            complete(with: .failure(HookError(failedWith: code, transfer: self)))
            return
        }
        var status = 0
        ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        complete(with: .success(HookResponse(status: status, body: responseBody)))
    }

    /// Marks the transfer as no longer wanted; safe from any thread.
    func requestCancellation() {
        cancellation.withLockedValue { $0 = true }
    }

    /// Whether the calling task has cancelled the call.
    var isCancellationRequested: Bool {
        cancellation.withLockedValue { $0 }
    }

    /// Appends a chunk of the body; returns how many bytes were taken, which libcurl reads as an abort when it
    /// is not the whole chunk.
    func receive(_ chunk: UnsafeRawBufferPointer) -> Int {
        guard chunk.count <= responseLimit - responseBody.count else {
            exceededLimit = true
            return 0
        }
        responseBody.append(contentsOf: chunk)
        return chunk.count
    }

    /// libcurl's description of the failure: its error buffer when it wrote one, else the code's generic text.
    func errorMessage(for code: CURLcode) -> String {
        if errorBuffer.pointee != 0 {
            return String(cString: errorBuffer)
        }
        return String(cString: curl_easy_strerror(code))
    }
}
