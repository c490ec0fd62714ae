public import NIOCore

/// A JSON value, plus `binary` for Socket.IO attachments and `raw` for JSON text passed on as it came.
///
/// Integers that fit in 64 bits stay integers, so `1` round-trips as `1`, not `1.0`. The packet encoder turns
/// `binary` values into attachment placeholders; plain JSON text writes them as base64 strings. A `raw` value is
/// written as its bytes, and the accessors below read into it one level at a time; two values are equal when they
/// hold the same JSON value, whichever way each is kept.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
    case binary(ByteBuffer)
    case raw(RawJSON)
}

extension JSONValue {
    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let value) = shallow { return value }
        return nil
    }

    /// The members, if this is an object (raw ones for a raw object).
    public var objectValue: [String: JSONValue]? {
        switch self {
        case .object(let value): value
        case .raw(let raw): raw.members?.mapValues(JSONValue.raw)
        default: nil
        }
    }

    /// The elements, if this is an array (raw ones for a raw array).
    public var arrayValue: [JSONValue]? {
        switch self {
        case .array(let value): value
        case .raw(let raw): raw.elements?.map(JSONValue.raw)
        default: nil
        }
    }

    /// The value with its outer level read: a raw value becomes the case it holds (its members or elements still
    /// raw); any other value is itself. What a `switch` over the cases needs.
    public var shallow: JSONValue {
        if case .raw(let raw) = self { return raw.shallow }
        return self
    }

    /// The member called `key`, if this is an object that has it.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// The value as a tree with no raw part left, for code that looks deep inside.
    public var parsed: JSONValue {
        switch self {
        case .raw(let raw): raw.value
        case .array(let elements): .array(elements.map(\.parsed))
        case .object(let members): .object(members.mapValues(\.parsed))
        case .null, .bool, .int, .double, .string, .binary: self
        }
    }

    /// Whether a `binary` value occurs anywhere inside.
    public var containsBinary: Bool {
        switch self {
        case .binary: true
        case .array(let elements): elements.contains { $0.containsBinary }
        case .object(let members): members.values.contains { $0.containsBinary }
        case .null, .bool, .int, .double, .string, .raw: false
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements) { _, last in last })
    }
}

extension JSONValue: Hashable {
    /// Compares values, reading a raw side (only when the other is not the same raw text).
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.raw(let left), .raw(let right)) where left == right: true
        case (.raw(let left), _): left.value == rhs
        case (_, .raw(let right)): lhs == right.value
        case (.null, .null): true
        case (.bool(let left), .bool(let right)): left == right
        case (.int(let left), .int(let right)): left == right
        case (.double(let left), .double(let right)): left == right
        case (.string(let left), .string(let right)): left == right
        case (.array(let left), .array(let right)): left == right
        case (.object(let left), .object(let right)): left == right
        case (.binary(let left), .binary(let right)): left == right
        case (.null, _), (.bool, _), (.int, _), (.double, _), (.string, _), (.array, _), (.object, _), (.binary, _): false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let flag): hasher.combine(flag)
        case .int(let integer): hasher.combine(integer)
        case .double(let double): hasher.combine(double)
        case .string(let text): hasher.combine(text)
        case .array(let elements): hasher.combine(elements)
        case .object(let members): hasher.combine(members)
        case .binary(let data): hasher.combine(data)
        case .raw(let raw): raw.value.hash(into: &hasher)
        }
    }
}
