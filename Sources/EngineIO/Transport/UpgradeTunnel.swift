import NIOCore
public import NIOHTTP1
import NIOPosix

/// Where a WebSocket upgrade for another instance's session goes, and the request that goes there.
public struct UpgradeTarget: Sendable {
    /// The owner's host.
    public let host: String
    /// The owner's port.
    public let port: Int
    /// The upgrade request replayed to the owner (the client's, with the forwarding marker).
    public let head: HTTPRequestHead

    /// Creates a target.
    public init(host: String, port: Int, head: HTTPRequestHead) {
        self.host = host
        self.port = port
        self.head = head
    }
}

/// A connection to the owning instance on which the owner answered 101: what it answered, and the connection, its
/// reads paused until ``Splice`` joins it to the client's.
struct OpenedTunnel {
    let channel: any Channel
    /// The owner's 101 header fields the client's 101 repeats (permessage-deflate, which it negotiated).
    let responseHeaders: HTTPHeaders
}

/// Opens a connection to an upgrade's owner on the client connection's event loop (so both ends of the splice share
/// a loop), replays the upgrade request, and waits for the owner's answer head.
enum UpgradeTunnel {
    /// Longest wait for the owner's 101.
    static let answerTimeout: TimeAmount = .seconds(10)

    static func open(_ target: UpgradeTarget, on eventLoop: any EventLoop) -> EventLoopFuture<OpenedTunnel?> {
        let answered = eventLoop.makePromise(of: UpgradeAnswer.self)
        let request = serialize(target.head)
        let connected = ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(2))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UpgradeAnswerReader(request: request, answered: answered))
                }
            }
            .connect(host: target.host, port: target.port)
        return connected.flatMap { channel in
            let deadline = eventLoop.scheduleTask(in: answerTimeout) {
                answered.fail(ChannelError.connectTimeout(answerTimeout))
            }
            return answered.futureResult.map { answer -> OpenedTunnel? in
                deadline.cancel()
                guard answer.status == 101 else {
                    channel.close(promise: nil)
                    return nil
                }
                var headers = HTTPHeaders()
                for (name, value) in answer.headers where name.lowercased() == "sec-websocket-extensions" {
                    headers.add(name: name, value: value)
                }
                return OpenedTunnel(channel: channel, responseHeaders: headers)
            }.flatMapErrorThrowing { error in
                deadline.cancel()
                channel.close(promise: nil)
                throw error
            }
        }.recover { _ in nil }
    }

    private static func serialize(_ head: HTTPRequestHead) -> ByteBuffer {
        var text = "\(head.method.rawValue) \(head.uri) HTTP/1.1\r\n"
        for (name, value) in head.headers {
            text += "\(name): \(value)\r\n"
        }
        text += "\r\n"
        return ByteBuffer(string: text)
    }
}
