/// The permessage-deflate extension (RFC 7692) as agreed with one client.
///
/// Herald always answers `server_no_context_takeover`: every message it sends is compressed on its own, so one
/// compressed rendering of a broadcast serves every recipient that agreed to the same window. What the client sends
/// is inflated with one stream per connection, kept between messages unless the client agreed to
/// `client_no_context_takeover`.
public struct PerMessageDeflate: Sendable, Hashable {
    /// The LZ77 window (in bits) of the messages Herald compresses: what the client asked for with
    /// `server_max_window_bits`, else 15.
    public let serverMaxWindowBits: Int
    /// Whether the client compresses each message on its own (it offered `client_no_context_takeover`), so its
    /// inflate stream can be reset after every message.
    public let clientNoContextTakeover: Bool
    /// Whether the client's offer carried `server_max_window_bits`, which the answer must then repeat.
    let echoesServerMaxWindowBits: Bool

    /// The smallest window Herald can compress with: zlib's raw deflate refuses 8 bits, so an offer asking for 8 is
    /// declined.
    static let smallestServerWindowBits = 9

    init(serverMaxWindowBits: Int = 15, clientNoContextTakeover: Bool, echoesServerMaxWindowBits: Bool = false) {
        self.serverMaxWindowBits = serverMaxWindowBits
        self.clientNoContextTakeover = clientNoContextTakeover
        self.echoesServerMaxWindowBits = echoesServerMaxWindowBits
    }

    /// The `Sec-WebSocket-Extensions` value of the 101 answer. `client_max_window_bits` is never sent: Herald
    /// inflates with the largest window, which reads whatever window the client uses.
    public var responseHeaderValue: String {
        var value = "permessage-deflate; server_no_context_takeover"
        if clientNoContextTakeover {
            value += "; client_no_context_takeover"
        }
        if echoesServerMaxWindowBits {
            value += "; server_max_window_bits=\(serverMaxWindowBits)"
        }
        return value
    }

    /// The first acceptable permessage-deflate offer among the `Sec-WebSocket-Extensions` values of an upgrade
    /// request, or nil when there is none; offers Herald cannot honour and malformed headers are declined, never an
    /// error.
    public static func negotiate(offers headerValues: [String]) -> PerMessageDeflate? {
        for offer in WebSocketExtensionOffer.parse(headerValues) where offer.name == "permessage-deflate" {
            if let agreed = PerMessageDeflate(accepting: offer) {
                return agreed
            }
        }
        return nil
    }

    /// The agreement on `offer`, or nil when RFC 7692 section 7.1 says to decline it (an unknown or repeated parameter,
    /// an invalid value) or Herald cannot honour it (`server_max_window_bits=8`).
    init?(accepting offer: WebSocketExtensionOffer) {
        var seen = Set<String>()
        var serverWindowBits: Int?
        var clientNoContextTakeover = false
        for parameter in offer.parameters {
            guard seen.insert(parameter.name).inserted else { return nil }
            switch parameter.name {
            case "server_no_context_takeover":
                guard parameter.value == nil else { return nil }
            case "client_no_context_takeover":
                guard parameter.value == nil else { return nil }
                clientNoContextTakeover = true
            case "server_max_window_bits":
                guard let bits = parameter.value.flatMap(Self.windowBits) else { return nil }
                serverWindowBits = bits
            case "client_max_window_bits":
                if let value = parameter.value, Self.windowBits(value) == nil { return nil }
            default:
                return nil
            }
        }
        if let serverWindowBits, serverWindowBits < Self.smallestServerWindowBits { return nil }
        self.init(
            serverMaxWindowBits: serverWindowBits ?? 15,
            clientNoContextTakeover: clientNoContextTakeover,
            echoesServerMaxWindowBits: serverWindowBits != nil
        )
    }

    /// A window size parameter's value: 8 to 15 in decimal without leading zeros (RFC 7692 section 7.1.2).
    private static func windowBits(_ value: String) -> Int? {
        guard value.count <= 2, value.first != "0", value.allSatisfy(\.isASCII), let bits = Int(value), (8...15).contains(bits) else {
            return nil
        }
        return bits
    }
}
