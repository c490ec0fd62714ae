internal import CCurl

/// libcurl's process-wide initialisation, done once before the first handle is created.
///
/// `curl_global_init` must not race with itself or with handle creation; a `static let` is initialised
/// exactly once under the runtime's lock, and libcurl is never globally cleaned up because other
/// clients in the process may still use it.
enum CurlGlobal {
    /// Whether libcurl initialised; touching it performs the initialisation.
    static let isInitialized: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
}
