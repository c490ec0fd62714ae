/// One HTTP call to a site's hook (`authUrl`, `updateUserUrl`) or to Herald's own API.
public struct HookRequest: Sendable, Hashable {
    /// HTTP methods hooks use.
    public enum Method: String, Sendable, Hashable {
        case get = "GET"
        case put = "PUT"
        case post = "POST"
    }

    /// The method.
    public var method: Method
    /// Absolute `http://` or `https://` URL.
    public var url: String
    /// Request headers, in order; names are sent as given.
    public var headers: [(name: String, value: String)]
    /// Request body, if any.
    public var body: [UInt8]?
    /// Overrides the client's default timeout for this request (whole transfer, connect included).
    public var timeout: Duration?

    /// Creates a request.
    public init(
        method: Method,
        url: String,
        headers: [(name: String, value: String)] = [],
        body: [UInt8]? = nil,
        timeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    public static func == (lhs: HookRequest, rhs: HookRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body && lhs.timeout == rhs.timeout
            && lhs.headers.elementsEqual(rhs.headers) { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(url)
        hasher.combine(body)
    }
}
