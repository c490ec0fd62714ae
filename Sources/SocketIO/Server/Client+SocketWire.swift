import EngineIO
import NIOCore

extension Client: SocketWire {
    var eventLoop: any EventLoop { session.eventLoop }

    var isOpen: Bool { !isClosed }

    var transportName: String { session.transportName }

    func send(_ packet: SocketPacket, of socket: Socket) {
        send(packet, compression: socket.messageCompression)
    }

    func deliver(_ broadcast: PreparedBroadcast, to socket: Socket) {
        for part in broadcast.packet.parts {
            session.send(prepared: part, compression: socket.messageCompression)
        }
    }

    func socketLeft(_ socket: Socket) {
        remove(socket)
    }

    func close() {
        session.close()
    }
}
