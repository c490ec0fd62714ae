/// What became of one message of a send.
public enum SendOutcome: Sendable, Hashable {
    /// Delivered (stored first on sites with user rooms).
    case sent(DeliveryReport)
    /// Refused for the reason given; nothing was sent.
    case invalid(SendRequestError)
    /// Not sent because the message store is unavailable; the backend should send it again later.
    case storeUnavailable
    /// Not sent because a reload removed the site while the request ran.
    case siteRemoved
}
