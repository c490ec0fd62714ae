import HookClient
import SocketIO

/// One call to a site's `subscribeUrl`, `publishUrl` or `rpcUrl`: `POST` of a JSON body, the client's token in
/// `Authorization` as for `authUrl`, bounded by the hook timeout; the answer read into what the client is told.
struct InteractionHook: Sendable {
    /// What a hook decided.
    enum Verdict: Sendable, Hashable {
        /// 200, with the JSON body it sent (nil for an empty body).
        case allowed(JSONValue?)
        /// 403, with the hook's reason.
        case refused(CommandFailure)
    }

    /// Longest refusal reason passed on to the client, in characters.
    static let maxReasonLength = 200

    let hooks: any HookTransport
    let timeout: Duration

    /// Calls `url` with `body` for a client holding `token` on `site`.
    func call(_ url: String, body: JSONValue, token: String, site: Site) async -> Result<Verdict, CommandFailure> {
        let request = HookRequest(
            method: .post,
            url: url,
            headers: [
                (name: "Authorization", value: "\(site.authScheme) \(token)"),
                (name: "Content-Type", value: "application/json"),
                (name: "Accept", value: "application/json"),
            ],
            body: Array(body.jsonString.utf8),
            timeout: timeout
        )
        let response: HookResponse
        do {
            response = try await hooks.perform(request)
        } catch .timedOut {
            return .failure(CommandFailure(.hookTimeout, "The site's hook did not answer in time"))
        } catch .invalidHeader {
            return .failure(CommandFailure(.invalidRequest, "The client's token cannot be sent in a header"))
        } catch {
            return .failure(CommandFailure(.hookUnavailable, "The site's hook could not be reached"))
        }
        switch response.status {
        case 200:
            guard !response.body.allSatisfy(\.isJSONWhitespace) else { return .success(.allowed(nil)) }
            guard let answer = try? JSONValue(parsing: response.text) else {
                return .failure(CommandFailure(.hookInvalidAnswer, "The site's hook answered 200 with a body that is not JSON"))
            }
            return .success(.allowed(answer))
        case 403:
            return .success(.refused(CommandFailure(.forbidden, Self.reason(in: response))))
        default:
            return .failure(CommandFailure(.hookFailed, "The site's hook answered \(response.status)"))
        }
    }

    /// A hook's JSON body: `fields` and who asks (site, socket, token, deviceId).
    static func body(_ fields: [String: JSONValue], site: Site, socketID: String, credentials: ClientCredentials) -> JSONValue {
        var body = fields
        body["site"] = .string(site.name)
        body["socket"] = .string(socketID)
        body["token"] = .string(credentials.token)
        body["deviceId"] = credentials.deviceID.map(JSONValue.string) ?? .null
        return .object(body)
    }

    /// The `error` string of a 403 answer's JSON body, cut to ``maxReasonLength``; "Forbidden" without one.
    static func reason(in response: HookResponse) -> String {
        guard let body = try? JSONValue(parsing: response.text), let reason = body["error"]?.stringValue, !reason.isEmpty else {
            return "Forbidden"
        }
        return String(reason.prefix(maxReasonLength))
    }
}

extension UInt8 {
    /// Whether the byte is JSON whitespace (space, tab, line feed, carriage return).
    fileprivate var isJSONWhitespace: Bool {
        self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D
    }
}
