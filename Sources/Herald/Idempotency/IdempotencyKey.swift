/// A backend's `Idempotency-Key` for one site: requests of that site carrying the same key are one request.
public struct IdempotencyKey: Sendable, Hashable, CustomStringConvertible {
    /// Longest accepted key, in characters.
    public static let maxLength = 255
    /// What a valid key looks like, for the 400 answer.
    public static let rule = "Idempotency-Key must be 1 to \(maxLength) printable ASCII characters."

    /// The site the key belongs to; the same key on two sites names two requests.
    public let site: String
    /// The key as the backend sent it.
    public let value: String

    /// The key of `header` on `site`; `nil` when it is empty, longer than ``maxLength`` or holds anything but
    /// printable ASCII (so it can be logged and stored as it is).
    public init?(site: String, header: String) {
        let bytes = header.utf8
        guard !bytes.isEmpty, bytes.count <= Self.maxLength, bytes.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            return nil
        }
        self.site = site
        self.value = header
    }

    public var description: String { "\(site):\(value)" }
}
