import NIOCore

/// The status line and header fields of the HTTP/1.1 response a bench client reads by hand at the start of its
/// byte stream (the WebSocket upgrade answer, or the head of an event stream).
struct ResponseHead: Equatable {
    /// The status line as sent, e.g. `HTTP/1.1 101 Switching Protocols`.
    let statusLine: String
    /// The status code, or 0 when the status line has none.
    let status: Int
    /// Header fields in order, names lower-cased.
    let fields: [Field]

    /// One header field.
    struct Field: Equatable {
        /// Lower-cased name.
        let name: String
        /// Value without surrounding white space.
        let value: String
    }

    /// The value of the first field named `name` (lower-case), if any.
    func field(_ name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// Removes the head (through its blank line) from `bytes` and returns it; nil, leaving `bytes` alone, while the
    /// blank line has not arrived.
    static func read(from bytes: inout ByteBuffer) -> ResponseHead? {
        let view = bytes.readableBytesView
        guard let end = view.firstRange(of: [13, 10, 13, 10]) else { return nil }
        let text = String(decoding: view[view.startIndex..<end.lowerBound], as: UTF8.self)
        bytes.moveReaderIndex(to: end.upperBound)
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.first.map(String.init) ?? ""
        let code = statusLine.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        let fields = lines.dropFirst().compactMap { line -> Field? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return Field(
                name: line[..<colon].lowercased(),
                value: line[line.index(after: colon)...].trimmingCharacters(in: " \t")
            )
        }
        return ResponseHead(statusLine: statusLine, status: code, fields: fields)
    }
}

extension Substring {
    /// This text without leading and trailing characters of `set`.
    fileprivate func trimmingCharacters(in set: String) -> String {
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
