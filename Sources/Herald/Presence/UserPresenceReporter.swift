import Foundation
public import HookClient
public import Logging
import SocketIO

/// Tells a site when its users connect and disconnect: `PUT updateUserUrl` (`:id` replaced by the user's ID)
/// with `{"id": id, "user": {"last_connected"|"last_disconnected": ISO date}}`, as the Node service did.
///
/// Reports run in the background: a slow or failing endpoint is logged and never delays or breaks a connection.
public struct UserPresenceReporter: Sendable {
    private let hooks: any HookTransport
    private let timeout: Duration
    private let logger: Logger

    /// Creates a reporter sending through `hooks`, each call bounded by `timeout`.
    public init(hooks: any HookTransport, timeout: Duration, logger: Logger) {
        self.hooks = hooks
        self.timeout = timeout
        self.logger = logger
    }

    /// Reports `change` of user `userID` on `site` in the background; `token` authorises the call as it
    /// authorised the client.
    public func report(_ change: PresenceChange, userID: String, token: String, site: Site, metadata: Logger.Metadata) {
        guard let request = Self.request(for: change, userID: userID, token: token, site: site, at: Date(), timeout: timeout)
        else { return }
        let hooks = self.hooks
        let logger = self.logger
        Task {
            do {
                let response = try await hooks.perform(request)
                if !(200..<300).contains(response.status) {
                    logger.warning(
                        "updateUserUrl answered \(response.status)",
                        metadata: metadata.merging(["status": "\(response.status)"]) { $1 }
                    )
                }
            } catch {
                logger.warning("updateUserUrl failed: \(error)", metadata: metadata)
            }
        }
    }

    /// The `PUT` for one change, or nil when the site has no `updateUserUrl`.
    static func request(
        for change: PresenceChange,
        userID: String,
        token: String,
        site: Site,
        at date: Date,
        timeout: Duration
    ) -> HookRequest? {
        guard let template = site.updateUserURL else { return nil }
        let url = template.replacingOccurrences(of: ":id", with: percentEncoded(userID))
        let body: JSONValue = [
            "id": .string(userID),
            "user": .object([change.field: .string(isoTimestamp(date))]),
        ]
        return HookRequest(
            method: .put,
            url: url,
            headers: [
                (name: "Authorization", value: "\(site.authScheme) \(token)"),
                (name: "Content-Type", value: "application/json"),
            ],
            body: Array(body.jsonString.utf8),
            timeout: timeout
        )
    }

    /// JavaScript's `Date.prototype.toISOString()` form: `2026-11-25T11:33:56.123Z`.
    static func isoTimestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    private static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? text
    }
}
