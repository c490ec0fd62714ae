internal import CCurl

/// A libcurl multi handle (`CURLM *`) with the options that bound Herald's outgoing connections.
///
/// `@unchecked Sendable` because the pointer crosses to the driver thread, which owns the handle: it drives
/// and finally cleans it up. Other threads only call ``wakeUp()`` (libcurl documents `curl_multi_wakeup` as
/// thread-safe), and only under the driver's inbox lock while the inbox still says running, which is before
/// the driver thread cleans the handle up.
struct CurlMultiHandle: @unchecked Sendable {
    /// The handle itself.
    let pointer: UnsafeMutableRawPointer

    /// Creates the handle; connection reuse across calls comes from its connection cache, sized here.
    init(configuration: HookClient.Configuration) {
        precondition(CurlGlobal.isInitialized, "libcurl failed to initialise")
        guard let pointer = curl_multi_init() else { fatalError("libcurl could not create a multi handle") }
        self.pointer = pointer
        ccurl_multi_setopt_long(pointer, CURLMOPT_MAX_HOST_CONNECTIONS, max(configuration.maxConnectionsPerHost, 1))
        ccurl_multi_setopt_long(pointer, CURLMOPT_MAX_TOTAL_CONNECTIONS, max(configuration.maxTotalConnections, 1))
        ccurl_multi_setopt_long(pointer, CURLMOPT_MAXCONNECTS, max(configuration.maxTotalConnections, 1))
    }

    /// Interrupts the driver thread's `curl_multi_poll` so it picks up new work.
    func wakeUp() {
        curl_multi_wakeup(pointer)
    }
}
