public import NIOCore

/// Decodes Socket.IO packets for one connection. A binary packet's text part waits here until its attachments arrive.
public struct SocketPacketDecoder: Sendable {
    private let maxAttachments: Int
    private let keepsPayloadRaw: Bool
    private var awaiting: AwaitingAttachments?

    private struct AwaitingAttachments: Sendable {
        let type: SocketPacketType
        let namespace: String
        let ackID: Int?
        let payload: JSONValue
        let expected: Int
        var received: [ByteBuffer] = []
    }

    /// Creates a decoder that refuses packets announcing more than `maxAttachments` attachments. With
    /// `keepsPayloadRaw`, the values inside a packet's JSON (an event's arguments) are ``JSONValue/raw(_:)``: checked,
    /// not parsed, so they can be written on exactly as they came.
    public init(maxAttachments: Int = 10, keepsPayloadRaw: Bool = false) {
        self.maxAttachments = maxAttachments
        self.keepsPayloadRaw = keepsPayloadRaw
    }

    /// Decodes a text message; nil when the packet waits for binary attachments.
    public mutating func decode(text: String) throws(SocketProtocolError) -> SocketPacket? {
        guard awaiting == nil else { throw .attachmentsExpected }
        var utf8 = Array(text.utf8)
        return try utf8.withUnsafeMutableBufferPointer { buffer throws(SocketProtocolError) in
            try decode(bytes: UnsafeBufferPointer(buffer))
        }
    }

    /// Feeds one binary attachment; returns the packet when it was the last one awaited.
    public mutating func decode(binary: ByteBuffer) throws(SocketProtocolError) -> SocketPacket? {
        guard var pending = awaiting else { throw .unexpectedAttachment }
        pending.received.append(binary)
        guard pending.received.count == pending.expected else {
            awaiting = pending
            return nil
        }
        awaiting = nil
        var used = Set<Int>()
        let payload = try Self.fill(pending.payload, with: pending.received, used: &used)
        guard used.count == pending.expected else { throw .invalidPayload("an attachment is not referenced") }
        return try Self.packet(type: pending.type, namespace: pending.namespace, ackID: pending.ackID, payload: payload)
    }

    private mutating func decode(bytes: UnsafeBufferPointer<UInt8>) throws(SocketProtocolError) -> SocketPacket? {
        guard let first = bytes.first else { throw .emptyPacket }
        guard first >= UInt8(ascii: "0"), let type = SocketPacketType(rawValue: first &- UInt8(ascii: "0")) else {
            throw .unknownPacketType(Character(Unicode.Scalar(first)))
        }
        var index = 1
        var attachments = 0
        if type == .binaryEvent || type == .binaryAck {
            let start = index
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
            guard index > start, index - start <= 6, index < bytes.count, bytes[index] == UInt8(ascii: "-") else {
                throw .invalidAttachmentCount
            }
            attachments = Int(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)) ?? 0
            guard attachments > 0 else { throw .invalidAttachmentCount }
            guard attachments <= maxAttachments else { throw .tooManyAttachments(limit: maxAttachments) }
            index += 1
        }
        var namespace = "/"
        if index < bytes.count, bytes[index] == UInt8(ascii: "/") {
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: ",") { index += 1 }
            namespace = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            if index < bytes.count { index += 1 }
        }
        var ackID: Int?
        let idStart = index
        while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        if index > idStart {
            guard index - idStart <= 15 else { throw .invalidAckID }
            ackID = Int(String(decoding: UnsafeBufferPointer(rebasing: bytes[idStart..<index]), as: UTF8.self))
        }
        var payload: JSONValue?
        if index < bytes.count {
            let json = UnsafeBufferPointer(rebasing: bytes[index...])
            do {
                if keepsPayloadRaw {
                    payload = try RawJSON(validating: json).shallow
                } else {
                    var parser = JSONParser(bytes: json)
                    payload = try parser.parseDocument()
                }
            } catch {
                throw .invalidJSON(error)
            }
        }
        if attachments > 0 {
            guard let payload else { throw .invalidPayload("binary packet without payload") }
            awaiting = AwaitingAttachments(type: type, namespace: namespace, ackID: ackID, payload: payload, expected: attachments)
            return nil
        }
        return try Self.packet(type: type, namespace: namespace, ackID: ackID, payload: payload)
    }

    private static func packet(type: SocketPacketType, namespace: String, ackID: Int?, payload: JSONValue?) throws(SocketProtocolError)
        -> SocketPacket
    {
        switch type {
        case .connect:
            guard payload == nil || payload?.objectValue != nil else { throw .invalidPayload("CONNECT payload must be an object") }
            return .connect(namespace: namespace, payload: payload)
        case .disconnect:
            guard payload == nil else { throw .invalidPayload("DISCONNECT carries no payload") }
            return .disconnect(namespace: namespace)
        case .event, .binaryEvent:
            guard case .array(let elements) = payload, let name = elements.first?.stringValue else {
                throw .invalidPayload("EVENT payload must be an array starting with the event name")
            }
            return .event(namespace: namespace, ackID: ackID, name: name, arguments: Array(elements.dropFirst()))
        case .ack, .binaryAck:
            guard let ackID else { throw .invalidAckID }
            guard case .array(let elements) = payload else { throw .invalidPayload("ACK payload must be an array") }
            return .ack(namespace: namespace, ackID: ackID, arguments: elements)
        case .connectError:
            // As socket.io-parser's isPayloadValid: a message string or an object (`{"message": …}`), nothing else.
            guard let payload else { throw .invalidPayload("CONNECT_ERROR needs a payload") }
            switch payload {
            case .string, .object:
                return .connectError(namespace: namespace, payload: payload)
            default:
                throw .invalidPayload("CONNECT_ERROR payload must be a string or an object")
            }
        }
    }

    /// Replaces `{"_placeholder":true,"num":N}` objects with the attachments they reference.
    private static func fill(_ value: JSONValue, with attachments: [ByteBuffer], used: inout Set<Int>) throws(SocketProtocolError)
        -> JSONValue
    {
        switch value {
        case .object(let members):
            if members["_placeholder"] == .bool(true), case .int(let number) = members["num"] {
                guard number >= 0, number < attachments.count else { throw .invalidPayload("placeholder \(number) out of range") }
                guard used.insert(Int(number)).inserted else { throw .invalidPayload("placeholder \(number) used twice") }
                return .binary(attachments[Int(number)])
            }
            var filled: [String: JSONValue] = [:]
            for (key, member) in members {
                filled[key] = try fill(member, with: attachments, used: &used)
            }
            return .object(filled)
        case .array(let elements):
            var filled: [JSONValue] = []
            filled.reserveCapacity(elements.count)
            for element in elements {
                filled.append(try fill(element, with: attachments, used: &used))
            }
            return .array(filled)
        default:
            return value
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
