import Foundation
import Herald
import Hummingbird

/// The admin API's JSON bodies.
enum AdminJSON {
    struct Site: Encodable {
        let name: String
        let connections: Int
        let transports: [String: Int]
        let messagesEmitted: Int
    }

    struct Sites: Encodable {
        /// What the counts cover: every instance's sockets.
        let scope = "cluster"
        let sites: [Site]
        /// The instances that answered.
        let instances: [String]
        /// Live instances that did not answer in time (their sockets are not counted).
        let missing: [String]
    }

    struct Room: Encodable {
        let name: String
        let members: Int
    }

    struct Rooms: Encodable {
        let site: String
        let rooms: [Room]
        let instances: [String]
        let missing: [String]
        /// Whether more rooms exist than listed.
        let truncated: Bool
    }

    struct Socket: Encodable {
        /// The instance the socket is connected to.
        let instance: String
        let id: String
        let deviceId: String?
        let transport: String
        /// ISO 8601, UTC.
        let connectedSince: String
    }

    struct Sockets: Encodable {
        let site: String
        let room: String
        let sockets: [Socket]
        let instances: [String]
        let missing: [String]
        /// Whether more sockets exist than listed.
        let truncated: Bool
    }

    struct Disconnected: Encodable {
        let disconnected: Int
    }

    struct Failure: Encodable {
        let error: String
    }

    static func sites(_ view: ClusterView<[SiteSummary]>) -> Sites {
        Sites(
            sites: view.value.map {
                Site(name: $0.name, connections: $0.sockets, transports: $0.socketsByTransport, messagesEmitted: $0.messagesEmitted)
            },
            instances: view.instances,
            missing: view.missing
        )
    }

    static func rooms(_ view: ClusterView<[RoomSummary]>, site: String) -> Rooms {
        Rooms(
            site: site,
            rooms: view.value.map { Room(name: $0.name, members: $0.members) },
            instances: view.instances,
            missing: view.missing,
            truncated: view.truncated
        )
    }

    static func sockets(_ view: ClusterView<[SocketSummary]>, site: String, room: String) -> Sockets {
        Sockets(
            site: site,
            room: room,
            sockets: view.value.map(socket),
            instances: view.instances,
            missing: view.missing,
            truncated: view.truncated
        )
    }

    static func socket(_ summary: SocketSummary) -> Socket {
        let date = Date(timeIntervalSince1970: Double(summary.connectedSince) / 1000)
        return Socket(
            instance: summary.instance,
            id: summary.id,
            deviceId: summary.deviceID,
            transport: summary.transport,
            connectedSince: date.formatted(.iso8601)
        )
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":"encoding failed"}"#.utf8)
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ message: String, status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        response(Failure(error: message), status: status, headers: headers)
    }
}
