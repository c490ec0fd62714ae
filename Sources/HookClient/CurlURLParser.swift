internal import CCurl

/// Parses hook URLs with libcurl's own URL parser, so what is validated is exactly what will be requested.
enum CurlURLParser {
    /// Returns a libcurl URL handle (`CURLU *`) for an absolute http(s) URL with a host; the caller owns it and
    /// frees it with `curl_url_cleanup`. Throws ``HookError/invalidURL(_:)`` for anything else, before any
    /// network activity.
    static func parse(_ string: String) throws(HookError) -> OpaquePointer {
        guard !string.utf8.contains(0), let handle = curl_url() else { throw .invalidURL(string) }
        guard curl_url_set(handle, CURLUPART_URL, string, 0) == CURLUE_OK,
            let scheme = part(CURLUPART_SCHEME, of: handle), scheme == "http" || scheme == "https",
            let host = part(CURLUPART_HOST, of: handle), !host.isEmpty
        else {
            curl_url_cleanup(handle)
            throw .invalidURL(string)
        }
        return handle
    }

    private static func part(_ part: CURLUPart, of handle: OpaquePointer) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, part, &value, 0) == CURLUE_OK, let value else { return nil }
        defer { curl_free(value) }
        return String(cString: value).lowercased()
    }
}
