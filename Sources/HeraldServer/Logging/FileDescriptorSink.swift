#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes bytes to a file descriptor completely, waiting as long as the reader needs: only the log writer thread
/// calls it, so the wait never reaches an event loop.
enum FileDescriptorSink {
    /// Writes all of `bytes`, retrying after interrupts and waiting for a non-blocking descriptor to drain; gives up
    /// on any other error (a closed pipe), since there is nowhere left to report it.
    static func write(_ bytes: UnsafeRawBufferPointer, to fileDescriptor: Int32) {
        guard var next = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = systemWrite(fileDescriptor, next, remaining)
            if written > 0 {
                next += written
                remaining -= written
                continue
            }
            guard written < 0 else { return }
            switch errno {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                var descriptor = pollfd(fd: fileDescriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&descriptor, 1, -1)
            default:
                return
            }
        }
    }

    private static func systemWrite(_ fileDescriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Darwin)
            Darwin.write(fileDescriptor, bytes, count)
        #elseif canImport(Musl)
            Musl.write(fileDescriptor, bytes, count)
        #else
            Glibc.write(fileDescriptor, bytes, count)
        #endif
    }
}
