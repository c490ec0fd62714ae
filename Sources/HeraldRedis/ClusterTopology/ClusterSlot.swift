/// One of a Redis Cluster's 16384 hash slots: `CRC16(key) mod 16384`, where only the part between the first `{` and
/// the next `}` counts when it is not empty (a hash tag), so keys sharing a tag share a slot and one script may touch
/// them together.
struct ClusterSlot: Sendable, Hashable, Comparable {
    /// How many slots a cluster has.
    static let count = 16_384

    /// The slot number, `0..<16384`.
    let number: Int

    init(_ number: Int) {
        precondition((0..<Self.count).contains(number), "a cluster slot is from 0 to 16383")
        self.number = number
    }

    /// The slot of `key`, honouring its hash tag.
    init(key: some Collection<UInt8>) {
        let bytes = Array(key)
        let hashed = Self.hashedPart(of: bytes)
        number = Int(Self.crc16(bytes[hashed]) & UInt16(Self.count - 1))
    }

    /// The slot of a text key.
    init(key: String) {
        self.init(key: key.utf8)
    }

    static func < (lhs: ClusterSlot, rhs: ClusterSlot) -> Bool {
        lhs.number < rhs.number
    }

    /// The range of `key` that is hashed: the hash tag when the key has a non-empty one, else the whole key.
    private static func hashedPart(of key: [UInt8]) -> Range<Int> {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")),
            let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")),
            close > open + 1
        else {
            return key.indices
        }
        return (open + 1)..<close
    }

    /// CRC-16/XMODEM (polynomial 0x1021, initial value 0), the checksum Redis Cluster hashes keys with.
    static func crc16(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ crc16Table[Int((crc >> 8) ^ UInt16(byte))]
        }
        return crc
    }

    private static let crc16Table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 {
            crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
        return crc
    }
}
