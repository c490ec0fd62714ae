import NIOCore
import SocketIO

/// A message a backend published on the Redis channel `herald:send` instead of calling `POST /send`: one JSON
/// object `{"site": S, "rooms": [...], "event": E, "args": [...], "resync": false}`, read with the same rules as a
/// `/send` body (``SendRequestParser/request(from:resyncQuery:)``), plus the site.
public struct PublishedMessage: Sendable, Hashable {
    /// The site (namespace) the message is for.
    public var site: String
    /// The message, as a `/send` body would give it.
    public var request: SendRequest

    /// Creates a message.
    public init(site: String, request: SendRequest) {
        self.site = site
        self.request = request
    }

    /// Reads a published payload.
    ///
    /// - Throws: ``SendRequestError`` naming what is wrong: not JSON, no `site`, or a `/send` body error.
    public init(payload: [UInt8]) throws(SendRequestError) {
        let root: JSONValue
        do {
            // Bytes that are not UTF-8 are repaired (U+FFFD), as this channel always did, rather than refused.
            root = try RawJSON(validating: ByteBuffer(string: String(decoding: payload, as: UTF8.self))).shallow
        } catch {
            throw SendRequestError("Invalid JSON: \(error)")
        }
        guard let site = root["site"]?.stringValue, !site.isEmpty else {
            throw SendRequestError(root.objectValue == nil ? "Message must be a JSON object" : "Missing 'site'")
        }
        self.init(site: site, request: try SendRequestParser.request(from: root, resyncQuery: nil))
    }
}
