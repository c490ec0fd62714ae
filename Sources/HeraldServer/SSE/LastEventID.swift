package import Herald

/// The position a reconnecting Server-Sent Events client names: the `Last-Event-ID` header a browser's
/// `EventSource` sends, or the `lastEventId` query parameter EventSource polyfills use (the header wins).
///
/// Herald's event IDs are flake IDs in decimal, at most 20 digits; anything else is refused, so a client that sends
/// garbage learns it at once instead of silently getting its whole queue again.
package enum LastEventID {
    /// Why a `Last-Event-ID` was refused.
    package enum Failure: Error, Sendable, Hashable {
        /// Longer than any flake ID.
        case tooLong
        /// Not a decimal flake ID.
        case notAnID
    }

    /// The ID named by `header` or, without one, `query`; nil when neither is given or both are empty.
    package static func parse(header: String?, query: String?) throws(Failure) -> FlakeID? {
        guard let text = [header, query].compactMap({ $0 }).first(where: { !$0.isEmpty }) else { return nil }
        guard text.utf8.count <= 20 else { throw .tooLong }
        guard text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let id = FlakeID(text) else { throw .notAnID }
        return id
    }
}
