internal import CCurl

extension CurlTransfer {
    /// Sets the easy handle's options: what to send, the limits, and the safety rails every hook call needs.
    ///
    /// No signals (the driver is one thread among many), only http and https (a hook URL comes from a site's
    /// configuration and must not reach `file://` or `gopher://`), no redirects (a hook answers itself), no
    /// proxy from the environment (as the Node service), TCP keepalive on the connections the multi handle
    /// caches for reuse.
    func configureEasyHandle(for request: HookRequest, configuration: HookClient.Configuration) throws(HookError) {
        let timeoutMilliseconds = timeout.curlMilliseconds
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_CURLU, pointer: UnsafeMutableRawPointer(url))
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_FOLLOWLOCATION, 0)
        try set(CURLOPT_PROXY, "")
        try set(CURLOPT_TCP_KEEPALIVE, 1)
        try set(CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
        try set(CURLOPT_CONNECTTIMEOUT_MS, min(configuration.connectTimeout.curlMilliseconds, timeoutMilliseconds))
        try set(CURLOPT_USERAGENT, configuration.userAgent)
        try set(CURLOPT_MAXFILESIZE, responseLimit)
        if let caBundlePath = configuration.caBundlePath {
            try set(CURLOPT_CAINFO, caBundlePath)
        }
        try check(ccurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList), CURLOPT_HTTPHEADER)
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        try set(CURLOPT_PRIVATE, pointer: unretainedPointer)
        try set(CURLOPT_WRITEDATA, pointer: unretainedPointer)
        let writeFunction = ccurl_easy_setopt_write_function(easy, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            guard let data, let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            return transfer.receive(UnsafeRawBufferPointer(start: data, count: size * count))
        }
        try check(writeFunction, CURLOPT_WRITEFUNCTION)
        try configureMethodAndBody(of: request)
    }

    /// A GET without a body stays a plain GET; anything else sends its body (empty when absent, so a bodiless
    /// PUT carries `Content-Length: 0`) under the request's method.
    private func configureMethodAndBody(of request: HookRequest) throws(HookError) {
        guard request.method != .get || request.body != nil else {
            try set(CURLOPT_HTTPGET, 1)
            return
        }
        let body = request.body ?? []
        try set(CURLOPT_POSTFIELDSIZE, body.count)
        // COPYPOSTFIELDS copies POSTFIELDSIZE bytes at once, so the Swift array need not outlive this call.
        let copied = body.withUnsafeBytes { bytes in
            if let start = bytes.baseAddress {
                ccurl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: start))
            } else {
                ccurl_easy_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, "")
            }
        }
        try check(copied, CURLOPT_COPYPOSTFIELDS)
        try set(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
    }

    private func set(_ option: CURLoption, _ value: Int) throws(HookError) {
        try check(ccurl_easy_setopt_long(easy, option, value), option)
    }

    private func set(_ option: CURLoption, _ value: String) throws(HookError) {
        try check(ccurl_easy_setopt_string(easy, option, value), option)
    }

    private func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer) throws(HookError) {
        try check(ccurl_easy_setopt_pointer(easy, option, pointer), option)
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(HookError) {
        guard code == CURLE_OK else {
            throw .transportFailed(reason: "libcurl refused option \(option.rawValue): \(String(cString: curl_easy_strerror(code)))")
        }
    }
}
