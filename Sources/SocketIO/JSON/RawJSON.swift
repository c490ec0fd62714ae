public import NIOCore

/// One JSON value kept as compact JSON text: checked once when it arrives and written out again as the very bytes
/// the sender wrote, so object keys keep their order and numbers their spelling (`1.0`, `1e3`), and nothing is
/// parsed into a tree or serialised again on the way.
///
/// Both initialisers guarantee the invariant every user relies on: the bytes are one valid JSON value with no
/// whitespace outside strings, so they hold no line break or other control character and can go into any JSON
/// document, a Server-Sent Events `data:` line included. Looking inside (``members``, ``elements``, ``value``) reads
/// only as deep as asked.
public struct RawJSON: Sendable {
    /// The compact JSON text.
    public let bytes: ByteBuffer

    private init(compact bytes: ByteBuffer) {
        self.bytes = bytes
    }

    /// Checks `bytes` as one JSON document, with the parser's rules; whitespace outside strings is dropped.
    ///
    /// - Throws: the error ``JSONValue/init(parsing:)-(ByteBuffer)`` throws for the same bytes.
    public init(validating bytes: ByteBuffer) throws(JSONParseError) {
        let report = bytes.withUnsafeReadableBytes { JSONValidator.validate($0) }
        guard let report else {
            // The parser rejects what the validator rejects (the fuzz targets `json` and `send-body` hold them to
            // it); asking it gives the reason and offset a backend has always been told.
            self.init(try JSONValue(parsing: bytes))
            return
        }
        self.init(compact: report.hasInsignificantWhitespace ? Self.compacted(bytes) : bytes)
    }

    /// Checks UTF-8 bytes as one JSON document.
    public init(validating bytes: some Collection<UInt8>) throws(JSONParseError) {
        try self.init(validating: ByteBuffer(bytes: bytes))
    }

    /// The compact text of a parsed value (as ``JSONValue/jsonString`` writes it).
    public init(_ value: JSONValue) {
        self.init(compact: ByteBuffer(string: value.jsonString))
    }

    /// The value parsed into a tree (all of it, however deep).
    public var value: JSONValue {
        // Valid by construction: the parser cannot fail on these bytes.
        (try? JSONValue(parsing: bytes)) ?? .null
    }

    /// The value one level deep: an object's members and an array's elements as raw values, anything else parsed.
    public var shallow: JSONValue {
        if let elements { return .array(elements.map(JSONValue.raw)) }
        if let members { return .object(members.mapValues(JSONValue.raw)) }
        return value
    }

    /// The elements, if this is an array.
    public var elements: [RawJSON]? {
        guard bytes.readableBytesView.first == UInt8(ascii: "[") else { return nil }
        return parts().map { RawJSON(compact: bytes.getSlice(at: bytes.readerIndex + $0.value.lowerBound, length: $0.value.count)!) }
    }

    /// The members, if this is an object; of a key written twice the last one counts, as for the parser.
    public var members: [String: RawJSON]? {
        guard bytes.readableBytesView.first == UInt8(ascii: "{") else { return nil }
        var members: [String: RawJSON] = [:]
        for part in parts() {
            guard let key = part.key else { continue }
            members[key] = RawJSON(compact: bytes.getSlice(at: bytes.readerIndex + part.value.lowerBound, length: part.value.count)!)
        }
        return members
    }

    private func parts() -> [JSONStructure.Part] {
        bytes.withUnsafeReadableBytes { JSONStructure.parts(of: $0) }
    }

    /// `bytes` without whitespace outside strings: the runs between whitespace are copied whole.
    private static func compacted(_ bytes: ByteBuffer) -> ByteBuffer {
        var output = ByteBuffer()
        output.reserveCapacity(bytes.readableBytes)
        bytes.withUnsafeReadableBytes { input in
            var runStart = 0
            var index = 0
            var inString = false
            while index < input.count {
                let byte = input[index]
                if inString {
                    if byte == UInt8(ascii: "\\") {
                        index += 1
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                    }
                } else if byte == UInt8(ascii: "\"") {
                    inString = true
                } else if byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
                    output.writeBytes(UnsafeRawBufferPointer(rebasing: input[runStart..<index]))
                    runStart = index + 1
                }
                index += 1
            }
            output.writeBytes(UnsafeRawBufferPointer(rebasing: input[runStart..<input.count]))
        }
        return output
    }
}

extension RawJSON: Hashable {
    /// Equal when the bytes are: the same value written two ways (`1.0` and `1`, keys in another order) is not the
    /// same text. ``JSONValue``'s equality compares values.
    public static func == (lhs: RawJSON, rhs: RawJSON) -> Bool {
        lhs.bytes == rhs.bytes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(bytes)
    }
}

extension RawJSON: CustomStringConvertible {
    /// The JSON text.
    public var description: String {
        String(buffer: bytes)
    }
}
