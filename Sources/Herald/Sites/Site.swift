public import EngineIO

/// A tenant: one Socket.IO namespace `/<name>` with its own credentials and hooks, as declared in `sites.yml`.
public struct Site: Sendable, Hashable {
    /// The site's name; clients connect to the namespace `/<name>`.
    public var name: String
    /// How connecting clients are authenticated and which rooms they join.
    public var authentication: SiteAuthentication
    /// Scheme put before the client's token in `Authorization` headers sent to the site's hooks (`Bearer` by default).
    public var authScheme: String
    /// Secret a backend presents to `POST /send`.
    public var apiKey: String
    /// Prefix of per-user rooms (`user_42`); when set, shared rooms expand to user rooms and every client must
    /// have such a room (or the public channel).
    public var userRoomPrefix: String?
    /// URL (with `:id`) that is sent `PUT` when a user connects or disconnects.
    public var updateUserURL: String?
    /// A room that admits clients without a private room when `userRoomPrefix` is set.
    public var publicChannel: String?
    /// What the site may use of this instance.
    public var limits: SiteLimits
    /// Connection state recovery for Socket.IO 4.6+ clients; nil (the default) leaves it off.
    public var recovery: SiteRecovery?
    /// Client subscribe, publish and RPC through the site's hooks; all off by default.
    public var interaction: SiteInteraction
    /// The site's own `allowFrom` / `denyFrom`, checked when a client joins its namespace, after the instance's.
    public var addresses: AddressPolicy
    /// Room presence (`GET /presence`, `_join`/`_leave`); nil (the default) leaves it off, at no cost.
    public var presence: SitePresence?
    /// WebSocket permessage-deflate (docs/compression.md): which messages to the site's clients are compressed where
    /// they offered it; nil (the default) compresses none.
    public var permessageDeflate: MessageCompression?

    /// Creates a site.
    public init(
        name: String,
        authentication: SiteAuthentication,
        authScheme: String = "Bearer",
        apiKey: String,
        userRoomPrefix: String? = nil,
        updateUserURL: String? = nil,
        publicChannel: String? = nil,
        limits: SiteLimits = SiteLimits(),
        recovery: SiteRecovery? = nil,
        interaction: SiteInteraction = SiteInteraction(),
        addresses: AddressPolicy = AddressPolicy(),
        presence: SitePresence? = nil,
        permessageDeflate: MessageCompression? = nil
    ) {
        self.name = name
        self.authentication = authentication
        self.authScheme = authScheme
        self.apiKey = apiKey
        self.userRoomPrefix = userRoomPrefix
        self.updateUserURL = updateUserURL
        self.publicChannel = publicChannel
        self.limits = limits
        self.recovery = recovery
        self.interaction = interaction
        self.addresses = addresses
        self.presence = presence
        self.permessageDeflate = permessageDeflate
    }

    /// The Socket.IO namespace of the site.
    public var namespace: String { "/" + name }
}
