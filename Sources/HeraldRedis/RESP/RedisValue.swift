/// One RESP2 reply as the server sent it.
///
/// Error replies are values too: inside a `RedisClient.pipeline` one failing command must
/// not hide the replies of the others. `RedisClient.send` turns a top-level `.error` into
/// ``RedisError/server(_:)`` so single commands can use `try`.
public enum RedisValue: Sendable, Hashable {
    /// A status reply such as `OK` or `PONG` (`+…`).
    case simpleString(String)
    /// An error reply (`-…`), for example `ERR unknown command` or `NOSCRIPT …`.
    case error(String)
    /// An integer reply (`:…`).
    case integer(Int)
    /// A bulk string (`$…`), binary-safe: values are bytes because Redis stores bytes.
    case bulkString([UInt8])
    /// A null bulk string or null array (`$-1`, `*-1`): a missing key, a timed-out blocking pop.
    case null
    /// An array reply (`*…`), possibly nested.
    case array([RedisValue])
}

extension RedisValue {
    /// The text of a status or bulk string, decoded as UTF-8 (invalid sequences become U+FFFD);
    /// an integer as its decimal form; `nil` for null, errors and arrays.
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes): String(decoding: bytes, as: UTF8.self)
        case .integer(let number): String(number)
        case .error, .null, .array: nil
        }
    }

    /// The number of an integer reply, or of a status or bulk string holding a decimal integer
    /// (Redis answers `GET` of a counter with a bulk string); `nil` otherwise.
    public var int: Int? {
        switch self {
        case .integer(let number): number
        case .simpleString(let text): Int(text)
        case .bulkString(let bytes): Int(String(decoding: bytes, as: UTF8.self))
        case .error, .null, .array: nil
        }
    }

    /// The raw bytes of a bulk or status string; `nil` for other replies.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): bytes
        case .simpleString(let text): Array(text.utf8)
        case .error, .integer, .null, .array: nil
        }
    }

    /// The elements of an array reply; `nil` for other replies (a null array is `.null`, not `[]`).
    public var array: [RedisValue]? {
        if case .array(let elements) = self { elements } else { nil }
    }

    /// Whether the reply is null: a missing key reads as `.null`, not as an empty string.
    public var isNull: Bool {
        if case .null = self { true } else { false }
    }

    /// The message of an error reply, `nil` for other replies.
    public var errorMessage: String? {
        if case .error(let message) = self { message } else { nil }
    }
}
