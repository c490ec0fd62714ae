import NIOCore
import SocketIO

/// Reads something of many sockets where it lives, on each socket's event loop, hopping once per loop rather than
/// once per socket (a socket's rooms and transport are read on its loop).
enum SocketReads {
    /// `read` of each of `sockets`, grouped by loop; a loop that is shutting down gives nothing.
    static func read<Value: Sendable>(
        _ sockets: [Socket],
        _ read: @escaping @Sendable (Socket) -> Value
    ) async -> [Value] {
        var byLoop: [ObjectIdentifier: (loop: any EventLoop, sockets: [Socket])] = [:]
        for socket in sockets {
            let loop = socket.eventLoop
            byLoop[ObjectIdentifier(loop), default: (loop, [])].sockets.append(socket)
        }
        var values: [Value] = []
        for (loop, sockets) in byLoop.values {
            let read = try? await loop.submit { sockets.map(read) }.get()
            values += read ?? []
        }
        return values
    }
}
