/// Whether the messages a socket is sent are compressed where its client agreed to permessage-deflate, and from what
/// size; set per socket by the layer that knows its site (a Herald site's `permessageDeflate`).
public struct MessageCompression: Sendable, Hashable {
    /// The smallest payload (in bytes, uncompressed) sent compressed; smaller ones go as they are, which RFC 7692
    /// allows at any time. 1024 by default, as in the `ws` library: below it compression saves little and costs CPU.
    public var threshold: Int

    /// Compression of payloads of at least `threshold` bytes.
    public init(threshold: Int = 1024) {
        self.threshold = threshold
    }
}
