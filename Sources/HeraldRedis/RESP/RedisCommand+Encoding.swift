import CHiredis
import NIOCore

extension RedisCommand {
    /// Appends the command in RESP (`*N\r\n$len\r\narg\r\n…`) as hiredis' `redisFormatCommandArgv` writes it.
    ///
    /// hiredis allocates the formatted command with `malloc`; it is copied into `buffer` and released with
    /// `redisFreeCommand`, the matching free. The only failure hiredis reports is an allocation failure.
    func encode(into buffer: inout ByteBuffer) {
        storage.withUnsafeBytes { bytes in
            var pointers: [UnsafePointer<CChar>?] = []
            pointers.reserveCapacity(lengths.count)
            let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
            var offset = 0
            for length in lengths {
                pointers.append(base.map { UnsafePointer($0 + offset) })
                offset += length
            }
            var formatted: UnsafeMutablePointer<CChar>? = nil
            let count = pointers.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { argvlen in
                    redisFormatCommandArgv(&formatted, Int32(argvlen.count), argv.baseAddress, argvlen.baseAddress)
                }
            }
            guard count >= 0, let formatted else {
                fatalError("hiredis could not allocate a \(name) command")
            }
            defer { redisFreeCommand(formatted) }
            buffer.writeBytes(UnsafeRawBufferPointer(start: formatted, count: Int(count)))
        }
    }

    /// An upper bound guess of the encoded size, to size the output buffer once per write.
    var estimatedEncodedSize: Int {
        storage.count + 16 * (lengths.count + 1)
    }
}
