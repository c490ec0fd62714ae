public import NIOCore
public import SocketIO

/// Reads a `POST /send` body — JSON or `application/x-www-form-urlencoded` — into a ``SendRequest``, or a JSON array
/// into a batch of them (``SendBody``).
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
            return first == UInt8(ascii: "{") || first == UInt8(ascii: "[") ? .json : .form
        }
    }

    /// Most messages in one array body.
    public static let maxBatchSize = 1_000

    /// Parses `body` as one message (a JSON object or a form); `resync` comes from the query string
    /// (`resync=true`) or the body.
    public static func parse(_ body: ByteBuffer, format: BodyFormat, resyncQuery: String?) throws(SendRequestError)
        -> SendRequest
    {
        try request(from: try root(of: body, format: format), resyncQuery: resyncQuery)
    }

    /// Parses `body` as one message or, when it is a JSON array, as a batch whose elements are read one by one: a
    /// bad element gets its own error and does not spoil the others.
    ///
    /// - Throws: ``SendBodyError/invalid(_:)`` when the body itself cannot be read (or the array is empty),
    ///   ``SendBodyError/tooManyMessages(count:limit:)`` for an array of more than `maxBatchSize` elements.
    public static func parseBody(
        _ body: ByteBuffer,
        format: BodyFormat,
        resyncQuery: String?,
        maxBatchSize: Int = maxBatchSize
    ) throws(SendBodyError) -> SendBody {
        let root: JSONValue
        do {
            root = try Self.root(of: body, format: format)
        } catch {
            throw .invalid(error)
        }
        guard case .array(let elements) = root else {
            do {
                return .single(try request(from: root, resyncQuery: resyncQuery))
            } catch {
                throw .invalid(error)
            }
        }
        guard !elements.isEmpty else {
            throw .invalid(SendRequestError("An array body must hold at least one message"))
        }
        guard elements.count <= maxBatchSize else {
            throw .tooManyMessages(count: elements.count, limit: maxBatchSize)
        }
        return .batch(elements.map { element in item(from: element, resyncQuery: resyncQuery) })
    }

    /// Reads one message from a decoded body: an object with `rooms`, `event`, optional `args` and `resync`.
    /// `resyncQuery`, when given, wins over the object's `resync`.
    public static func request(from root: JSONValue, resyncQuery: String?) throws(SendRequestError) -> SendRequest {
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

    private static func item(from element: JSONValue, resyncQuery: String?) -> Result<SendRequest, SendRequestError> {
        do {
            return .success(try request(from: element, resyncQuery: resyncQuery))
        } catch {
            return .failure(error)
        }
    }

    private static func root(of body: ByteBuffer, format: BodyFormat) throws(SendRequestError) -> JSONValue {
        switch format {
        case .json:
            // Checked once and kept as text: the arguments reach clients as the bytes the backend sent.
            do {
                return try RawJSON(validating: body).shallow
            } catch {
                throw SendRequestError("Invalid JSON body: \(error)")
            }
        case .form:
            return FormBodyDecoder.decode(String(buffer: body))
        }
    }

    private static func rooms(in value: JSONValue?) throws(SendRequestError) -> [String] {
        let elements: [JSONValue]
        switch value?.shallow {
        case nil, .null: throw SendRequestError("Missing 'rooms'")
        case .array(let list): elements = list
        case .string(let room): elements = [.string(room)]
        case .int(let number): elements = [.int(number)]
        default: throw SendRequestError("'rooms' must be a list of non-empty room names")
        }
        var rooms: [String] = []
        for element in elements {
            switch element.shallow {
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
        switch value?.shallow {
        case nil: return []
        case .array(let list): return list
        default: throw SendRequestError("'args' must be a list")
        }
    }

    private static func flag(_ value: JSONValue?) -> Bool {
        switch value?.shallow {
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
