/// Random identifiers for sessions and sockets.
public enum SessionID {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// 20 URL-safe characters carrying 120 bits from the system's cryptographic generator (getrandom on Linux),
    /// so an ID cannot be guessed to hijack another client's session.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        var characters = [UInt8](repeating: 0, count: 20)
        var bits = generator.next() as UInt64
        var remaining = 10
        for index in 0..<20 {
            if remaining == 0 {
                bits = generator.next()
                remaining = 10
            }
            characters[index] = alphabet[Int(bits & 63)]
            bits >>= 6
            remaining -= 1
        }
        return String(decoding: characters, as: UTF8.self)
    }
}
