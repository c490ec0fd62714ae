import Herald
import Hummingbird
import NIOCore
import SocketIO

/// Reads the JSON object body of a backend's `POST /rpc` or `POST /disconnect`, bounded like `/send`'s: the site's
/// `maxPayloadBytes`, else `send.maxBodyBytes`.
struct BackendJSONBody: Sendable {
    let defaultMaxBytes: Int

    /// The body, or the answer to give (JSON, `{"error"}`): 413 over the limit, 400 when it is not a JSON object.
    func read(_ request: Request, for site: Site) async -> Result<JSONValue, SendReply> {
        let limit = site.limits.maxPayloadBytes ?? defaultMaxBytes
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            return .failure(.jsonError("The body is larger than \(limit) bytes", status: .contentTooLarge))
        }
        guard let body = try? JSONValue(parsing: String(buffer: buffer)), case .object = body else {
            return .failure(.jsonError("The body must be a JSON object", status: .badRequest))
        }
        return .success(body)
    }
}

extension SendReply {
    /// A JSON answer.
    static func json(_ value: JSONValue, status: HTTPResponse.Status) -> SendReply {
        SendReply(status: status, contentType: json, body: value.jsonString)
    }

    /// A JSON error answer, `{"error": reason}`.
    static func jsonError(_ reason: String, status: HTTPResponse.Status) -> SendReply {
        .json(["error": .string(reason)], status: status)
    }
}
