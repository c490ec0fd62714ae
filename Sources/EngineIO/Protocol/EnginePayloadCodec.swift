public import NIOCore

/// Frames several packets into one HTTP long-polling body, and back.
public enum EnginePayloadCodec {
    private static let recordSeparator: UInt8 = 0x1E
    /// Engine.IO 3.x gives up on length prefixes longer than this many digits.
    private static let maxLengthDigits = 10

    /// Decodes a polling POST body into packets.
    ///
    /// v4: packets separated by the record separator 0x1E, binary as `b<base64>`.
    /// v3: the binary form (first byte 0x00 or 0x01) or the text form `<length>:<packet>…`, whose length counts
    /// UTF-16 code units as JavaScript does.
    public static func decode(
        _ body: ByteBuffer,
        version: EngineProtocolVersion,
        maxPackets: Int = 1_000
    ) throws(EngineProtocolError) -> [EnginePacket] {
        let bytes = body.readableBytesView
        guard let first = bytes.first else { throw .invalidPayload("empty payload") }
        switch version {
        case .v4:
            return try decodeV4(bytes, maxPackets: maxPackets)
        case .v3:
            if first <= 1 { return try decodeV3Binary(bytes, maxPackets: maxPackets) }
            return try decodeV3Text(bytes, maxPackets: maxPackets)
        }
    }

    /// Encodes packets for a polling GET answer; returns the body and its content type.
    public static func encode(
        _ packets: [EnginePacket],
        version: EngineProtocolVersion,
        supportsBinary: Bool,
        allocator: ByteBufferAllocator
    ) -> (body: ByteBuffer, contentType: String) {
        let textType = "text/plain; charset=UTF-8"
        switch version {
        case .v4:
            var buffer = allocator.buffer(capacity: packets.reduce(0) { $0 + $1.approximateSize + 1 })
            for (index, packet) in packets.enumerated() {
                if index > 0 { buffer.writeInteger(recordSeparator) }
                buffer.writeString(EnginePacketCodec.encodeText(packet, version: .v4))
            }
            return (buffer, textType)
        case .v3:
            let hasBinary = packets.contains { if case .message(.binary) = $0 { true } else { false } }
            if supportsBinary, hasBinary {
                return (encodeV3Binary(packets, allocator: allocator), "application/octet-stream")
            }
            var buffer = allocator.buffer(capacity: packets.reduce(0) { $0 + $1.approximateSize + 8 })
            for packet in packets {
                let text = EnginePacketCodec.encodeText(packet, version: .v3)
                buffer.writeString("\(text.utf16.count):")
                buffer.writeString(text)
            }
            return (buffer, textType)
        }
    }

    // MARK: v4

    private static func decodeV4(_ bytes: ByteBufferView, maxPackets: Int) throws(EngineProtocolError) -> [EnginePacket] {
        var packets: [EnginePacket] = []
        for segment in bytes.split(separator: recordSeparator, omittingEmptySubsequences: false) {
            guard packets.count < maxPackets else { throw .tooManyPackets(limit: maxPackets) }
            guard let text = String(validating: segment, as: UTF8.self) else { throw .invalidUTF8 }
            packets.append(try EnginePacketCodec.decode(text: text[...], version: .v4, allowBase64Binary: true))
        }
        return packets
    }

    // MARK: v3 text form

    private static func decodeV3Text(_ bytes: ByteBufferView, maxPackets: Int) throws(EngineProtocolError) -> [EnginePacket] {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8 }
        let units = Array(text.utf16)
        var packets: [EnginePacket] = []
        var index = 0
        while index < units.count {
            guard packets.count < maxPackets else { throw .tooManyPackets(limit: maxPackets) }
            var length = 0
            var digits = 0
            while index < units.count, units[index] != UInt16(UInt8(ascii: ":")) {
                let unit = units[index]
                guard unit >= UInt16(UInt8(ascii: "0")), unit <= UInt16(UInt8(ascii: "9")) else {
                    throw .invalidPayload("length prefix is not a number")
                }
                digits += 1
                guard digits <= maxLengthDigits else { throw .invalidPayload("length prefix too long") }
                length = length * 10 + Int(unit - UInt16(UInt8(ascii: "0")))
                index += 1
            }
            guard index < units.count else { throw .invalidPayload("missing ':' after the length") }
            guard digits > 0 else { throw .invalidPayload("missing length before ':'") }
            index += 1
            guard length > 0 else { throw .emptyPacket }
            guard length <= units.count - index else { throw .invalidPayload("length \(length) exceeds the payload") }
            let packetText = String(decoding: units[index..<index + length], as: UTF16.self)
            packets.append(try EnginePacketCodec.decode(text: packetText[...], version: .v3, allowBase64Binary: true))
            index += length
        }
        return packets
    }

    // MARK: v3 binary form

    private static func decodeV3Binary(_ bytes: ByteBufferView, maxPackets: Int) throws(EngineProtocolError) -> [EnginePacket] {
        var packets: [EnginePacket] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard packets.count < maxPackets else { throw .tooManyPackets(limit: maxPackets) }
            let kind = bytes[index]
            guard kind <= 1 else { throw .invalidPayload("packet kind byte must be 0 or 1") }
            index += 1
            var length = 0
            var digits = 0
            while index < bytes.endIndex, bytes[index] != 0xFF {
                guard bytes[index] <= 9 else { throw .invalidPayload("length digit above 9") }
                digits += 1
                guard digits <= maxLengthDigits else { throw .invalidPayload("length prefix too long") }
                length = length * 10 + Int(bytes[index])
                index += 1
            }
            guard index < bytes.endIndex else { throw .invalidPayload("missing 0xFF after the length") }
            guard digits > 0 else { throw .invalidPayload("missing length") }
            index += 1
            guard length > 0 else { throw .emptyPacket }
            guard length <= bytes.endIndex - index else { throw .invalidPayload("length \(length) exceeds the payload") }
            let packetBytes = bytes[index..<index + length]
            if kind == 0 {
                guard let text = String(validating: packetBytes, as: UTF8.self) else { throw .invalidUTF8 }
                packets.append(try EnginePacketCodec.decode(text: text[...], version: .v3, allowBase64Binary: true))
            } else {
                packets.append(try EnginePacketCodec.decode(binaryFrame: ByteBuffer(bytes: packetBytes), version: .v3))
            }
            index += length
        }
        return packets
    }

    private static func encodeV3Binary(_ packets: [EnginePacket], allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: packets.reduce(0) { $0 + $1.approximateSize + 12 })
        for packet in packets {
            if case .message(.binary(let data)) = packet {
                buffer.writeInteger(UInt8(1))
                writeDigits(data.readableBytes + 1, into: &buffer)
                buffer.writeInteger(EnginePacketType.message.rawValue)
                buffer.writeImmutableBuffer(data)
            } else {
                let text = EnginePacketCodec.encodeText(packet, version: .v3)
                buffer.writeInteger(UInt8(0))
                writeDigits(text.utf8.count, into: &buffer)
                buffer.writeString(text)
            }
        }
        return buffer
    }

    /// Writes a length as one byte per decimal digit, then 0xFF.
    private static func writeDigits(_ value: Int, into buffer: inout ByteBuffer) {
        for character in String(value).utf8 {
            buffer.writeInteger(character - UInt8(ascii: "0"))
        }
        buffer.writeInteger(UInt8(0xFF))
    }
}
