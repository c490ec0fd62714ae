import EngineIO
import Herald
import NIOCore
import SocketIO

/// What `POST /send` reads: bodies in each format, and query strings.
enum SendFuzzing {
    /// A form body decodes to an object that JSON can carry to the clients.
    static func form(_ input: UnsafeRawBufferPointer) {
        let value = FormBodyDecoder.decode(String(decoding: input, as: UTF8.self))
        precondition(value.objectValue != nil, "form body decoded to \(value)")
        _ = SocketFuzzing.reparsed(value)
    }

    /// The validating scanner `/send` bodies go through, against the tree parser: it accepts exactly what the parser
    /// accepts, and what it keeps (compact text, split into elements or members) parses to the parser's tree.
    static func rawJSON(_ input: UnsafeRawBufferPointer) {
        let buffer = ByteBuffer(bytes: input)
        let tree = try? JSONValue(parsing: buffer)
        let accepted = JSONValidator.validate(input) != nil
        precondition(accepted == (tree != nil), "validator \(accepted ? "accepts" : "rejects") what the parser does not")
        guard let tree, let raw = try? RawJSON(validating: buffer) else { return }
        precondition(!raw.bytes.readableBytesView.contains { $0 < 0x20 }, "control character kept in \(raw)")
        precondition((try? RawJSON(validating: raw.bytes))?.bytes == raw.bytes, "\(raw) is not compact")
        precondition((try? JSONValue(parsing: raw.bytes)) == tree, "\(raw) parses to another value than the input")
        precondition(raw.shallow.parsed == tree, "\(raw) read one level deep differs from the input")
        if let elements = raw.elements {
            let joined = "[" + elements.map(\.description).joined(separator: ",") + "]"
            precondition(joined == raw.description, "elements \(elements) do not make up \(raw)")
        }
    }

    /// A query string or request target.
    static func query(_ input: UnsafeRawBufferPointer) {
        let text = String(decoding: input, as: UTF8.self)
        _ = QueryString.parse(text[...])
        _ = QueryString.split(target: text)
    }

    private static let contentTypes: [String?] = [
        nil, "application/json", "application/x-www-form-urlencoded; charset=utf-8", "text/plain",
    ]

    /// A whole body; the first byte picks the `Content-Type` and `resync`, or (bit 3) a message published on the
    /// Redis channel `herald:send` instead. What is accepted is a usable message.
    static func body(_ input: UnsafeRawBufferPointer) {
        guard let flags = input.first else { return }
        if flags & 8 != 0 {
            if let published = try? PublishedMessage(payload: Array(input.dropFirst())) {
                precondition(!published.site.isEmpty && !published.request.rooms.isEmpty, "unusable \(published)")
            }
            return
        }
        rawJSON(UnsafeRawBufferPointer(rebasing: input.dropFirst()))
        let buffer = ByteBuffer(bytes: input.dropFirst())
        let format = SendRequestParser.format(contentType: contentTypes[Int(flags) % contentTypes.count], body: buffer)
        let resync = flags & 4 != 0 ? "true" : nil
        let limit = 50
        guard let body = try? SendRequestParser.parseBody(buffer, format: format, resyncQuery: resync, maxBatchSize: limit) else {
            return
        }
        precondition(body.messageCount <= limit, "batch of \(body.messageCount) over the limit \(limit)")
        let requests: [SendRequest] =
            switch body {
            case .single(let request): [request]
            case .batch(let items): items.compactMap { try? $0.get() }
            }
        for request in requests {
            precondition(!request.rooms.isEmpty && !request.rooms.contains(""), "request without rooms: \(request)")
            precondition(!request.event.isEmpty, "request without an event: \(request)")
            precondition(resync == nil || request.resync, "resync=true in the query was not applied: \(request)")
        }
    }
}
