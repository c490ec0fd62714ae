/// What a connecting client presents in its handshake query: `/<site>?token=T&deviceId=D[&meta=M]`.
public struct ClientCredentials: Sendable, Hashable {
    /// The user's token, forwarded to the site's `authUrl` (never logged).
    public var token: String
    /// Identifies one device of a user; messages are queued per device.
    public var deviceID: String?
    /// Opaque client metadata, forwarded as `X-META`.
    public var meta: String?

    /// Creates credentials.
    public init(token: String, deviceID: String? = nil, meta: String? = nil) {
        self.token = token
        self.deviceID = deviceID
        self.meta = meta
    }

    /// Reads the credentials from a handshake query; a missing token reads as the empty token.
    public init(query: [String: String]) {
        self.init(token: query["token"] ?? "", deviceID: query["deviceId"].nonEmpty, meta: query["meta"].nonEmpty)
    }
}

extension Optional where Wrapped == String {
    fileprivate var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
