public import Logging

/// Sends what backends publish on the Redis channel `herald:send` exactly as `POST /send` would: the same body
/// rules, the same delivery (stored per device on sites with user rooms, `resync` honoured). A message that cannot
/// be read or names an unknown site is logged with the reason and dropped; nothing is thrown, so one bad message
/// never stops the channel.
public struct PublishedMessageHandler: Sendable {
    /// The channel's name, for logs.
    public static let channel = "herald:send"

    private let sites: SiteRegistry
    private let sender: MessageSender
    private let logger: Logger

    /// Creates the handler for the sites of `sites`, sending through `sender`.
    public init(sites: SiteRegistry, sender: MessageSender, logger: Logger) {
        self.sites = sites
        self.sender = sender
        self.logger = logger
    }

    /// Reads, checks and sends one published payload; returns what became of it.
    @discardableResult
    public func handle(_ payload: [UInt8]) async -> SendOutcome {
        var metadata: Logger.Metadata = ["channel": "\(Self.channel)"]
        let message: PublishedMessage
        do {
            message = try PublishedMessage(payload: payload)
        } catch {
            logger.warning("published message dropped: \(error.reason)", metadata: metadata)
            return .invalid(error)
        }
        metadata["site"] = "\(message.site)"
        guard let site = sites.site(named: message.site) else {
            let error = SendRequestError("Unknown site '\(message.site)'")
            logger.warning("published message dropped: \(error.reason)", metadata: metadata)
            return .invalid(error)
        }
        return await sender.send(message.request, on: site, metadata: metadata)
    }
}
