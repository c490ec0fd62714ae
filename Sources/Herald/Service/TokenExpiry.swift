import Logging
import NIOCore
import SocketIO

/// Ends a `jwt:` site's socket when its token expires, unless the client hands in a newer token first.
///
/// At the deadline (`exp` plus the site's leeway) the client is sent `_expired` with `{"exp": N}` and its socket is
/// disconnected: Socket.IO clients see the server's namespace disconnect ("io server disconnect") and do not
/// reconnect by themselves, so the application connects again with a fresh token. Before that, `_refresh` with
/// `{"token": T}` (or the token string) moves the deadline when `T` verifies on the site and names the same `sub` (a
/// refresh never switches users); with an ack the client gets `{"ok": true, "exp": N}` or `{"error": "..."}`. The
/// rooms stay those granted at connect. All state lives on the socket's event loop.
struct TokenExpiry: Sendable {
    /// The event a client sends to replace its token.
    static let refreshEvent = "_refresh"
    /// Longest single wait scheduled: a far `exp` is reached by waiting again, never by one huge timer.
    static let longestWaitSeconds: Int64 = 86_400

    let sites: SiteRegistry
    let authenticator: Authenticator
    let logger: Logger

    /// Schedules the disconnect of `socket` and listens for `_refresh`, when its client connected with a JWT.
    func watch(_ socket: Socket, client: SiteClient) {
        guard let claims = client.jwt else { return }
        let expiry = self
        socket.eventLoop.execute {
            // A socket gone before this turn would never run a disconnect handler added now to cancel the timer.
            guard socket.isConnected else { return }
            let state = NIOLoopBoundBox(Watch(subject: claims.subject, expiresAt: claims.expiresAt), eventLoop: socket.eventLoop)
            expiry.schedule(socket, client: client, state: state)
            socket.on(Self.refreshEvent) { socket, arguments, ack in
                let answer = expiry.refresh(socket, client: client, arguments: arguments, state: state)
                ack?.send([answer])
            }
            socket.onDisconnect { _, _ in
                state.value.timer?.cancel()
                state.value.timer = nil
            }
        }
    }

    /// What one socket's watch holds.
    private struct Watch {
        let subject: String?
        var expiresAt: Int64
        var timer: Scheduled<Void>?
    }

    private func schedule(_ socket: Socket, client: SiteClient, state: NIOLoopBoundBox<Watch>) {
        state.value.timer?.cancel()
        let deadline = settings(of: client).map { $0.deadline(expiringAt: state.value.expiresAt) } ?? state.value.expiresAt
        let remaining = deadline * 1000 - authenticator.nowMilliseconds
        guard remaining > 0 else {
            expire(socket, client: client, state: state)
            return
        }
        let wait = TimeAmount.milliseconds(min(remaining, Self.longestWaitSeconds * 1000))
        state.value.timer = socket.eventLoop.scheduleTask(in: wait) {
            state.value.timer = nil
            schedule(socket, client: client, state: state)
        }
    }

    private func expire(_ socket: Socket, client: SiteClient, state: NIOLoopBoundBox<Watch>) {
        guard socket.isConnected else { return }
        logger.info("client token expired", metadata: ["site": "\(client.site)", "socketId": "\(socket.id)"])
        socket.emit(HeraldEvent.expired.rawValue, [["exp": .int(state.value.expiresAt)]])
        socket.disconnect()
    }

    /// Checks the token a `_refresh` carries and, when it is good, moves the deadline; returns the ack's argument.
    private func refresh(
        _ socket: Socket,
        client: SiteClient,
        arguments: [JSONValue],
        state: NIOLoopBoundBox<Watch>
    ) -> JSONValue {
        guard let token = arguments.first?.stringValue ?? arguments.first?["token"]?.stringValue else {
            return ["error": "Send {\"token\": \"<JWT>\"}"]
        }
        guard let settings = settings(of: client) else { return ["error": "Site does not use JWT"] }
        let claims: JWTClaims
        do {
            claims = try authenticator.verify(token, with: settings)
        } catch {
            logger.info(
                "token refresh refused: \(error)",
                metadata: ["site": "\(client.site)", "socketId": "\(socket.id)"]
            )
            return ["error": .string(error.message)]
        }
        guard claims.subject == state.value.subject else {
            logger.notice("token refresh refused: another sub", metadata: ["site": "\(client.site)", "socketId": "\(socket.id)"])
            return ["error": "Token is for another user"]
        }
        state.value.expiresAt = claims.expiresAt
        schedule(socket, client: client, state: state)
        return ["ok": true, "exp": .int(claims.expiresAt)]
    }

    /// The site's JWT settings as they are now (a reload may have changed them).
    private func settings(of client: SiteClient) -> JWTSettings? {
        guard case .jwt(let settings)? = sites.site(named: client.site)?.authentication else { return nil }
        return settings
    }
}
