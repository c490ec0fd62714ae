import EngineIO
import SocketIO

/// The Socket.IO behaviour the protocol test suite expects from its reference server.
enum ConformanceBehaviour {
    static func install(on engine: EngineServer) -> SocketIOServer {
        let io = SocketIOServer(engine: engine, configuration: SocketIOConfiguration(connectTimeout: .milliseconds(1000)))
        io.of("/").onConnection { socket in
            socket.emit("auth", [.object(socket.handshake.auth)])
            socket.on("message") { socket, arguments, _ in
                socket.emit("message-back", arguments)
            }
            socket.on("message-with-ack") { _, arguments, ack in
                ack?.send(arguments)
            }
            socket.on("server-ack-request") { socket, arguments, _ in
                socket.emit("server-ack-request", arguments, timeout: .seconds(5)) { result in
                    if case .success(let answer) = result {
                        socket.emit("server-ack-result", answer)
                    }
                }
            }
        }
        io.of("/custom").onConnection { socket in
            socket.emit("auth", [.object(socket.handshake.auth)])
        }
        return io
    }
}
