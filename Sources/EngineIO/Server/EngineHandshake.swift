public import HTTPTypes

import struct Foundation.Date

/// What a client presented when its session opened: kept for the layers above (auth, logging).
public struct EngineHandshake: Sendable {
    /// Query parameters of the handshake request, percent-decoded.
    public let query: [String: String]
    /// Headers of the handshake request.
    public let headers: HTTPFields
    /// The client's address as the socket saw it, when known.
    public let remoteAddress: String?
    /// Path and query of the handshake request.
    public let url: String
    /// When the session opened, in milliseconds since 1970.
    public let issued: Int64

    /// Creates a handshake record.
    public init(query: [String: String], headers: HTTPFields, remoteAddress: String?, url: String) {
        self.query = query
        self.headers = headers
        self.remoteAddress = remoteAddress
        self.url = url
        self.issued = Int64(Date().timeIntervalSince1970 * 1000)
    }
}
