/// Which client addresses may connect: `allowFrom` and `denyFrom` lists of ``CIDR`` ranges.
///
/// A denied address is refused even when an allow range holds it too (deny wins); an empty allow list allows every
/// address not denied. A client whose address is unknown or unreadable is refused by any policy that lists something,
/// and admitted by the empty one.
public struct AddressPolicy: Sendable, Hashable {
    /// Ranges allowed to connect; empty: every address.
    public var allowFrom: [CIDR]
    /// Ranges refused whatever ``allowFrom`` says.
    public var denyFrom: [CIDR]

    /// A policy allowing `allowFrom` (empty: everyone) less `denyFrom`.
    public init(allowFrom: [CIDR] = [], denyFrom: [CIDR] = []) {
        self.allowFrom = allowFrom
        self.denyFrom = denyFrom
    }

    /// Whether the policy lists nothing, so it admits every client without reading its address.
    public var isEmpty: Bool {
        allowFrom.isEmpty && denyFrom.isEmpty
    }

    /// Whether a client at `address` may connect.
    public func permits(_ address: IPAddress?) -> Bool {
        guard !isEmpty else { return true }
        guard let address else { return false }
        if denyFrom.contains(where: { $0.contains(address) }) {
            return false
        }
        return allowFrom.isEmpty || allowFrom.contains { $0.contains(address) }
    }

    /// Whether a client whose address reads as `text` (as its handshake records it) may connect.
    public func permits(text: String?) -> Bool {
        isEmpty || permits(text.flatMap { IPAddress($0) })
    }
}
