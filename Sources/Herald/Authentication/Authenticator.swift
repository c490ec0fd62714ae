public import HookClient
import SocketIO

/// Decides whether a client may join a site and which rooms it joins, as the Node service did.
public struct Authenticator: Sendable {
    private let hooks: any HookTransport
    private let timeout: Duration
    private let clock: any WallClock

    /// Creates an authenticator that calls `authUrl`s through `hooks`, each call bounded by `timeout`, and checks
    /// JWT expiry against `clock`.
    public init(hooks: any HookTransport, timeout: Duration, clock: any WallClock = SystemWallClock()) {
        self.hooks = hooks
        self.timeout = timeout
        self.clock = clock
    }

    /// The rooms `credentials` give access to on `site`, or why the client is refused.
    public func rooms(for credentials: ClientCredentials, at site: Site) async throws(AuthenticationError) -> [String] {
        try await grant(for: credentials, at: site).rooms
    }

    /// What `credentials` give access to on `site` (rooms, and a JWT's expiry), or why the client is refused.
    public func grant(for credentials: ClientCredentials, at site: Site) async throws(AuthenticationError)
        -> AuthenticationGrant
    {
        let grant: AuthenticationGrant
        switch site.authentication {
        case .tokens(let table):
            guard let granted = table[credentials.token] else { throw .rejected }
            grant = AuthenticationGrant(rooms: granted)
        case .authURL(let url):
            grant = AuthenticationGrant(rooms: try await askAuthURL(url, credentials: credentials, site: site))
        case .jwt(let settings):
            let claims = try verify(credentials.token, with: settings)
            grant = AuthenticationGrant(rooms: claims.rooms(userRoomPrefix: site.userRoomPrefix), jwt: claims)
        }
        try Self.requirePrivateRoom(in: grant.rooms, site: site)
        return grant
    }

    /// The claims of a JWT `settings` accept now; no network call, so it also serves `_refresh` on the event loop.
    public func verify(_ token: String, with settings: JWTSettings) throws(AuthenticationError) -> JWTClaims {
        do {
            return try settings.claims(of: token, now: nowSeconds)
        } catch .expired {
            throw .tokenExpired
        } catch {
            throw .invalidToken(error)
        }
    }

    /// Seconds since 1970 by the authenticator's clock (what `exp` and `nbf` are compared with).
    public var nowSeconds: Int64 { clock.milliseconds / 1000 }
    /// Milliseconds since 1970 by the authenticator's clock (when a token's deadline is scheduled).
    public var nowMilliseconds: Int64 { clock.milliseconds }

    private func askAuthURL(_ url: String, credentials: ClientCredentials, site: Site) async throws(AuthenticationError)
        -> [String]
    {
        var headers = [
            (name: "Authorization", value: "\(site.authScheme) \(credentials.token)"),
            (name: "Accept", value: "application/json"),
        ]
        if let meta = credentials.meta {
            headers.append((name: "X-META", value: meta))
        }
        let response: HookResponse
        do {
            response = try await hooks.perform(HookRequest(method: .get, url: url, headers: headers, timeout: timeout))
        } catch .timedOut {
            throw .timedOut
        } catch .invalidHeader {
            throw .malformedCredentials
        } catch {
            throw .unreachable
        }
        switch response.status {
        case 200: return try Self.roomList(from: response)
        case 401: throw .rejected
        default: throw .unexpectedStatus(response.status)
        }
    }

    /// Reads a 200 answer: a JSON array of room names (numbers are accepted and named by their digits).
    static func roomList(from response: HookResponse) throws(AuthenticationError) -> [String] {
        guard let value = try? JSONValue(parsing: response.text), let elements = value.arrayValue else {
            throw .invalidRoomList
        }
        var rooms: [String] = []
        rooms.reserveCapacity(elements.count)
        for element in elements {
            switch element {
            case .string(let room): rooms.append(room)
            case .int(let number): rooms.append(String(number))
            default: throw .invalidRoomList
            }
        }
        return rooms
    }

    /// With `userRoomPrefix`, a client needs a user room or the public channel.
    static func requirePrivateRoom(in rooms: [String], site: Site) throws(AuthenticationError) {
        guard let prefix = site.userRoomPrefix else { return }
        if rooms.contains(where: { $0.hasPrefix(prefix) }) { return }
        if let channel = site.publicChannel, rooms.contains(channel) { return }
        throw .missingPrivateRoom
    }
}
