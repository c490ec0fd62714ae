internal import CCurl

extension HookError {
    /// Maps a failed transfer's libcurl result to what the caller can act on.
    ///
    /// - Parameters:
    ///   - code: the transfer's result, not `CURLE_OK`.
    ///   - transfer: the failed transfer, for its timeout, limit and libcurl's error text.
    init(failedWith code: CURLcode, transfer: CurlTransfer) {
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            self = .timedOut(after: transfer.timeout)
        case CURLE_FILESIZE_EXCEEDED:
            self = .responseTooLarge(limit: transfer.responseLimit)
        case CURLE_WRITE_ERROR where transfer.exceededLimit:
            self = .responseTooLarge(limit: transfer.responseLimit)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            self = .invalidURL(transfer.urlString)
        default:
            self = .transportFailed(reason: transfer.errorMessage(for: code))
        }
    }
}
