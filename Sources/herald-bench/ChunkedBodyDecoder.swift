import NIOCore

/// Undoes HTTP/1.1 `Transfer-Encoding: chunked` incrementally, as a streamed response (an event stream) arrives in
/// reads that cut anywhere: complete data goes out as soon as it is in, partial size lines wait for more bytes.
struct ChunkedBodyDecoder {
    /// The encoding broke its rules; the connection cannot be read further.
    struct Malformed: Error, Equatable {}

    private enum State {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailer
        case finished
    }

    private var state = State.size
    private var pending = ByteBuffer()

    /// Whether the last chunk and its trailer arrived: the body is complete.
    var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    /// Takes `input` and appends every byte of chunk data it completes to `output`.
    mutating func decode(_ input: inout ByteBuffer, into output: inout ByteBuffer) throws(Malformed) {
        pending.writeBuffer(&input)
        defer { pending.discardReadBytes() }
        while true {
            switch state {
            case .size:
                guard let line = readLine() else { return }
                state = try Self.chunkSize(line).map { $0 == 0 ? .trailer : .data(remaining: $0) } ?? .size
            case .data(let remaining):
                let count = min(remaining, pending.readableBytes)
                guard count > 0, var slice = pending.readSlice(length: count) else { return }
                output.writeBuffer(&slice)
                state = count == remaining ? .dataEnd : .data(remaining: remaining - count)
            case .dataEnd:
                guard let end = pending.readBytes(length: 2) else { return }
                guard end == [13, 10] else { throw Malformed() }
                state = .size
            case .trailer:
                guard let line = readLine() else { return }
                if line.isEmpty { state = .finished }
            case .finished:
                pending.moveReaderIndex(forwardBy: pending.readableBytes)
                return
            }
        }
    }

    /// The next CRLF-terminated line without its CRLF, consumed; nil while it is incomplete.
    private mutating func readLine() -> [UInt8]? {
        let view = pending.readableBytesView
        guard let end = view.firstRange(of: [13, 10]) else { return nil }
        let line = Array(view[view.startIndex..<end.lowerBound])
        pending.moveReaderIndex(to: end.upperBound)
        return line
    }

    /// The size of a chunk-size line (hex digits, then optional `;extensions`); nil for an empty line.
    private static func chunkSize(_ line: [UInt8]) throws(Malformed) -> Int? {
        var size = 0
        var digits = 0
        for byte in line {
            let value: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(byte - UInt8(ascii: "A")) + 10
            case UInt8(ascii: ";"), UInt8(ascii: " "), UInt8(ascii: "\t"):
                guard digits > 0 else { throw Malformed() }
                return size
            default: throw Malformed()
            }
            guard digits < 15 else { throw Malformed() }
            size = size << 4 | value
            digits += 1
        }
        return digits > 0 ? size : nil
    }
}
