/// What a hook answered.
public struct HookResponse: Sendable, Hashable {
    /// HTTP status code.
    public var status: Int
    /// Response body bytes.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, body: [UInt8] = []) {
        self.status = status
        self.body = body
    }

    /// The body decoded as UTF-8 (invalid sequences repaired).
    public var text: String { String(decoding: body, as: UTF8.self) }
}
