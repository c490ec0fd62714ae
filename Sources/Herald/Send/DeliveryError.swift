/// Why ``Delivery`` sent nothing.
public enum DeliveryError: Error, Sendable, Hashable {
    /// The message store is unavailable; the backend should send the message again later.
    case storeUnavailable(StoreError)
    /// A reload of the sites removed the site while the request ran; the send answers as for an unknown site.
    case siteRemoved
}
