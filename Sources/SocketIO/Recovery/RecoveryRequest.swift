/// What a returning Socket.IO 4.6+ client puts in its CONNECT `auth` to take its session back.
struct RecoveryRequest: Sendable {
    /// Longest `pid` looked up (the server hands out 20-character IDs).
    static let maxPIDLength = 64

    /// The private session ID the server gave.
    let pid: String
    /// The offset of the last event the client received.
    let offset: RecoveryOffset

    /// Removes `pid` and `offset` from `auth` (they are the server's, never the application's) and reads them; nil
    /// when either is missing or malformed.
    init?(taking auth: inout [String: JSONValue]) {
        let pid = auth.removeValue(forKey: "pid")?.stringValue
        let offset = auth.removeValue(forKey: "offset")?.stringValue
        guard let pid, !pid.isEmpty, pid.utf8.count <= Self.maxPIDLength, let offset, let parsed = RecoveryOffset(offset) else {
            return nil
        }
        self.pid = pid
        self.offset = parsed
    }
}
