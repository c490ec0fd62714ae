public import NIOCore

/// The body of a polling GET answer and its content type.
public struct PollingResponse: Sendable {
    /// Encoded payload.
    public let body: ByteBuffer
    /// `text/plain; charset=UTF-8`, or `application/octet-stream` for a v3 binary payload.
    public let contentType: String
}
