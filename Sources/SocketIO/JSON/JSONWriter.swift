import EngineIO
import NIOCore

extension JSONValue {
    /// Compact JSON text; `binary` values are written as base64 strings.
    public var jsonString: String {
        var writer = JSONWriter(placeholders: false)
        writer.write(self)
        return String(decoding: writer.output, as: UTF8.self)
    }

    /// Appends compact JSON text to `buffer`.
    public func write(to buffer: inout String) {
        buffer += jsonString
    }
}

/// Writes compact JSON as UTF-8 bytes. With `placeholders`, each `binary` value becomes
/// `{"_placeholder":true,"num":N}` and is collected in `attachments`, in depth-first order.
struct JSONWriter {
    var output: [UInt8] = []
    var attachments: [ByteBuffer] = []
    let placeholders: Bool

    init(placeholders: Bool) {
        self.placeholders = placeholders
    }

    mutating func write(_ value: JSONValue) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .int(let integer): append(String(integer))
        case .double(let double): append(Self.format(double))
        case .string(let text): writeString(text)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                write(element)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            var first = true
            for (key, member) in members {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                writeString(key)
                output.append(UInt8(ascii: ":"))
                write(member)
            }
            output.append(UInt8(ascii: "}"))
        case .raw(let raw):
            raw.bytes.withUnsafeReadableBytes { output.append(contentsOf: $0) }
        case .binary(let data):
            if placeholders {
                append(#"{"_placeholder":true,"num":\#(attachments.count)}"#)
                attachments.append(data)
            } else {
                var encoded: [UInt8] = []
                Base64.encode(data.readableBytesView, into: &encoded)
                output.append(UInt8(ascii: "\""))
                output.append(contentsOf: encoded)
                output.append(UInt8(ascii: "\""))
            }
        }
    }

    private mutating func append(_ text: String) {
        output.append(contentsOf: text.utf8)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    mutating func writeString(_ text: String) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0..<0x20:
                output.append(contentsOf: Array(#"\u00"#.utf8))
                output.append(Self.hexDigits[Int(byte >> 4)])
                output.append(Self.hexDigits[Int(byte & 0x0F)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Formats a double as JavaScript's JSON.stringify would: integral values without a fraction, non-finite as null.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return value.description
    }
}
