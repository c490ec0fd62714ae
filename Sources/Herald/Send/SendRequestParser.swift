public import NIOCore
import SocketIO

/// Reads a `POST /send` body — JSON or `application/x-www-form-urlencoded` — into a ``SendRequest``.
public enum SendRequestParser {
    /// Body encodings `/send` accepts.
    public enum BodyFormat: Sendable {
        case json
        case form
    }

    /// The format a `Content-Type` names; a missing or unknown type is guessed from the body's first byte.
    public static func format(contentType: String?, body: ByteBuffer) -> BodyFormat {
        let mediaType = contentType?.split(separator: ";").first?.trimmingSpaces.lowercased()
        switch mediaType {
        case "application/json": return .json
        case "application/x-www-form-urlencoded": return .form
        default:
            let first = body.readableBytesView.first { !$0.isASCIIWhitespace }
            return first == UInt8(ascii: "{") ? .json : .form
        }
    }

    /// Parses `body`; `resync` comes from the query string (`resync=true`) or the body.
    public static func parse(_ body: ByteBuffer, format: BodyFormat, resyncQuery: String?) throws(SendRequestError)
        -> SendRequest
    {
        let root: JSONValue
        switch format {
        case .json:
            do {
                root = try JSONValue(parsing: body)
            } catch {
                throw SendRequestError("Invalid JSON body: \(error)")
            }
        case .form:
            root = try FormBodyDecoder.decode(String(buffer: body))
        }
        guard let fields = root.objectValue else {
            throw SendRequestError("Body must be an object with 'rooms', 'event' and 'args'")
        }
        return SendRequest(
            rooms: try rooms(in: fields["rooms"]),
            event: try event(in: fields["event"]),
            arguments: try arguments(in: fields["args"]),
            resync: flag(resyncQuery.map(JSONValue.string) ?? fields["resync"])
        )
    }

    private static func rooms(in value: JSONValue?) throws(SendRequestError) -> [String] {
        let elements: [JSONValue]
        switch value {
        case nil, .null: throw SendRequestError("Missing 'rooms'")
        case .array(let list): elements = list
        case .string(let room): elements = [.string(room)]
        case .int(let number): elements = [.int(number)]
        default: throw SendRequestError("'rooms' must be a list of non-empty room names")
        }
        var rooms: [String] = []
        for element in elements {
            switch element {
            case .string(let room) where !room.isEmpty: rooms.append(room)
            case .int(let number): rooms.append(String(number))
            default: throw SendRequestError("'rooms' must be a list of non-empty room names")
            }
        }
        guard !rooms.isEmpty else { throw SendRequestError("'rooms' must not be empty") }
        return rooms
    }

    private static func event(in value: JSONValue?) throws(SendRequestError) -> String {
        guard let name = value?.stringValue else { throw SendRequestError("Missing 'event'") }
        guard !name.isEmpty else { throw SendRequestError("'event' must not be empty") }
        return name
    }

    private static func arguments(in value: JSONValue?) throws(SendRequestError) -> [JSONValue] {
        switch value {
        case nil: return []
        case .array(let list): return list
        default: throw SendRequestError("'args' must be a list")
        }
    }

    private static func flag(_ value: JSONValue?) -> Bool {
        switch value {
        case .bool(let flag): flag
        case .string(let text): text == "true" || text == "1"
        case .int(let number): number != 0
        default: false
        }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var trimmed = self
        while trimmed.first == " " { trimmed.removeFirst() }
        while trimmed.last == " " { trimmed.removeLast() }
        return trimmed
    }
}

extension UInt8 {
    fileprivate var isASCIIWhitespace: Bool {
        self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D
    }
}
