/// Everything one bench client presents to the server: its site (the Socket.IO namespace, the path of a plain
/// WebSocket or event stream) and the query parameters of its opening request.
struct ClientIdentity: Sendable {
    /// The client's index; also its key in the delivery ledger.
    let index: Int
    /// Site name: the namespace `/<site>`, `/ws/<site>`, `/sse/<site>`.
    let site: String
    /// The `token` query parameter the server authenticates.
    let token: String
    /// The `deviceId` query parameter.
    let deviceID: String
    /// `Host` header value.
    let hostHeader: String
    /// Name of the event the bench counts.
    let event: String
    /// Whether this connection replaces one the bench dropped on purpose (same token and device).
    var reconnected = false
    /// Whether the WebSocket upgrade offers permessage-deflate (each message compressed on its own both ways).
    var offersPermessageDeflate = false

    /// The `token` and `deviceId` query parameters, percent-encoded.
    var credentialsQuery: String {
        "token=\(percentEncoded(token))&deviceId=\(percentEncoded(deviceID))"
    }

    /// What a client with ``offersPermessageDeflate`` offers.
    static let permessageDeflateOffer = "permessage-deflate; client_no_context_takeover"

    /// The HTTP/1.1 request that upgrades the connection to a WebSocket at `target` (path and query).
    func webSocketUpgrade(to target: String) -> String {
        "GET \(target) HTTP/1.1\r\n"
            + "Host: \(hostHeader)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: aGVyYWxkLWJlbmNoLWtleQ==\r\nSec-WebSocket-Version: 13\r\n"
            + (offersPermessageDeflate ? "Sec-WebSocket-Extensions: \(Self.permessageDeflateOffer)\r\n" : "") + "\r\n"
    }

    /// The HTTP/1.1 request that opens the Server-Sent Events stream `GET /sse/<site>`.
    var eventStreamRequest: String {
        "GET /sse/\(percentEncoded(site))?\(credentialsQuery) HTTP/1.1\r\n"
            + "Host: \(hostHeader)\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
    }
}

/// `value` with every byte outside RFC 3986's unreserved set percent-encoded, for query strings and path segments.
func percentEncoded(_ value: String) -> String {
    var out = ""
    for byte in value.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = Array("0123456789ABCDEF".utf8)
            out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 15)]], as: UTF8.self)
        }
    }
    return out
}
