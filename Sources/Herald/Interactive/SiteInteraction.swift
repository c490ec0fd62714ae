/// What a site's clients may ask of it beyond receiving pushes: each hook is a URL of the site's backend that Herald
/// asks (`POST` with a JSON body) before it acts; a site without a hook keeps the Node service's behaviour, and the
/// matching client event is answered with an error.
public struct SiteInteraction: Sendable, Hashable {
    /// Decides each `_subscribe` (200 joins, 403 refuses).
    public var subscribeURL: String?
    /// Decides each `_publish` (200 sends, optionally with replacement `args`; 403 refuses).
    public var publishURL: String?
    /// Answers each `_rpc` (its JSON answer is the client's ack).
    public var rpcURL: String?
    /// Most `_publish` events one socket may send per second (a burst of as many); nil for the default.
    public var maxClientPublishesPerSecond: Int?

    /// Default of ``maxClientPublishesPerSecond``.
    public static let defaultMaxClientPublishesPerSecond = 10
    /// Most hook calls one socket may have waiting at once; more are refused at once.
    public static let maxHookCallsInFlightPerSocket = 8
    /// Most hook calls one socket may start per second (a burst of as many), whatever their kind.
    public static let maxHookCallsPerSecondPerSocket = 20
    /// Most hook calls all sockets of one site may have waiting at once on this instance: the hook client is shared
    /// by every site, so one site's clients must not hold all of it.
    public static let maxHookCallsInFlightPerSite = 256

    /// Creates the settings; every hook is off by default.
    public init(
        subscribeURL: String? = nil,
        publishURL: String? = nil,
        rpcURL: String? = nil,
        maxClientPublishesPerSecond: Int? = nil
    ) {
        self.subscribeURL = subscribeURL
        self.publishURL = publishURL
        self.rpcURL = rpcURL
        self.maxClientPublishesPerSecond = maxClientPublishesPerSecond
    }

    /// Whether any client event is served.
    public var isEnabled: Bool { subscribeURL != nil || publishURL != nil || rpcURL != nil }

    /// ``maxClientPublishesPerSecond`` or its default.
    public var publishesPerSecond: Int { maxClientPublishesPerSecond ?? Self.defaultMaxClientPublishesPerSecond }
}
