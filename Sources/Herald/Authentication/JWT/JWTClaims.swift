import SocketIO

/// What Herald takes from a verified JWT.
public struct JWTClaims: Sendable, Hashable {
    /// `sub`: the user; with `userRoomPrefix` the client joins `userRoomPrefix + sub`.
    public var subject: String?
    /// `rooms`: further rooms the client joins (strings; numbers are named by their digits, as with `authUrl`).
    public var rooms: [String]
    /// `exp`, in seconds since 1970.
    public var expiresAt: Int64

    /// Creates claims.
    public init(subject: String?, rooms: [String], expiresAt: Int64) {
        self.subject = subject
        self.rooms = rooms
        self.expiresAt = expiresAt
    }

    /// Reads the claims Herald uses from a payload whose signature verified.
    init(_ claims: [String: JSONValue]) throws(JWTRejection) {
        guard let exp = claims["exp"] else { throw .missingExpiry }
        expiresAt = try Self.numericDate(exp, claim: "exp")
        switch claims["sub"] {
        case nil, .null?: subject = nil
        case .string(let sub)? where !sub.isEmpty: subject = sub
        default: throw .invalidClaim("sub")
        }
        switch claims["rooms"] {
        case nil, .null?: rooms = []
        case .array(let elements)?:
            rooms = []
            rooms.reserveCapacity(elements.count)
            for element in elements {
                switch element {
                case .string(let room) where !room.isEmpty: rooms.append(room)
                case .int(let number): rooms.append(String(number))
                default: throw .invalidClaim("rooms")
                }
            }
        default: throw .invalidClaim("rooms")
        }
    }

    /// The rooms the claims grant on a site: the user's room (`userRoomPrefix + sub`, when both are there) first,
    /// then the `rooms` claim, each once.
    public func rooms(userRoomPrefix: String?) -> [String] {
        var granted: [String] = []
        if let userRoomPrefix, let subject {
            granted.append(userRoomPrefix + subject)
        }
        var seen = Set(granted)
        for room in rooms where seen.insert(room).inserted {
            granted.append(room)
        }
        return granted
    }

    /// A NumericDate (RFC 7519 §2): seconds since 1970, an integer or a fraction (rounded down), within
    /// ±``numericDateBound`` so that adding a leeway can never overflow.
    static func numericDate(_ value: JSONValue, claim: String) throws(JWTRejection) -> Int64 {
        switch value {
        case .int(let seconds) where abs(seconds) < numericDateBound: return seconds
        case .double(let seconds) where seconds.isFinite && abs(seconds) < Double(numericDateBound):
            return Int64(seconds.rounded(.down))
        default: throw .invalidClaim(claim)
        }
    }

    /// Dates beyond this many seconds from 1970 (some 30 million years) are refused as malformed.
    static let numericDateBound: Int64 = 1_000_000_000_000_000
}
