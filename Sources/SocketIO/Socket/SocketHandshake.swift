import EngineIO
public import HTTPTypes

/// What a client presented when it joined a namespace.
public struct SocketHandshake: Sendable {
    /// Query parameters: the Engine.IO handshake's, overridden by those a v4 client put on the namespace.
    public let query: [String: String]
    /// Headers of the Engine.IO handshake request.
    public let headers: HTTPFields
    /// The `auth` object a v5 client sent with CONNECT (empty for v4 clients).
    public let auth: [String: JSONValue]
    /// The client's address, when known.
    public let address: String?
    /// When the Engine.IO session opened, in milliseconds since 1970.
    public let issued: Int64
    /// Path and query of the Engine.IO handshake request.
    public let url: String

    /// A handshake of a client on another wire (see ``SocketWire``), from its HTTP request.
    public init(query: [String: String], headers: HTTPFields, address: String?, url: String, issued: Int64) {
        self.query = query
        self.headers = headers
        self.auth = [:]
        self.address = address
        self.issued = issued
        self.url = url
    }

    init(engine: EngineHandshake, namespaceQuery: [String: String], auth: [String: JSONValue]) {
        self.query = engine.query.merging(namespaceQuery) { _, namespace in namespace }
        self.headers = engine.headers
        self.auth = auth
        self.address = engine.remoteAddress
        self.issued = engine.issued
        self.url = engine.url
    }
}
