extension HookRequest {
    /// The header lines handed to libcurl: the request's own, then overrides of libcurl's defaults that hooks
    /// must not get (`Expect: 100-continue` stalls a PUT by a round trip; a form content type would mislabel
    /// JSON). Throws ``HookError/invalidHeader(name:)`` for a name that is not an HTTP token or a value with a
    /// line break or NUL, so a client-supplied value cannot smuggle extra headers into the call.
    func curlHeaderLines() throws(HookError) -> [String] {
        var lines: [String] = []
        lines.reserveCapacity(headers.count + 2)
        for (name, value) in headers {
            guard !name.isEmpty, name.utf8.allSatisfy(Self.isTokenByte) else { throw .invalidHeader(name: name) }
            guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                throw .invalidHeader(name: name)
            }
            // libcurl drops a header written "Name:"; "Name;" is its spelling for an empty value.
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        if !headers.contains(where: { $0.name.lowercased() == "expect" }) {
            lines.append("Expect:")
        }
        if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            lines.append("Content-Type:")
        }
        return lines
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
