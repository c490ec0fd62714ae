import Testing

@testable import HeraldRedis

@Suite struct ClusterSlotTests {
    /// Values Redis itself answers to `CLUSTER KEYSLOT`.
    @Test(arguments: [("foo", 12182), ("bar", 5061), ("hello", 866), ("", 0), ("123456789", 12739)])
    func slotsMatchRedis(key: String, slot: Int) {
        #expect(ClusterSlot(key: key).number == slot)
    }

    @Test func checksumIsCRC16XMODEM() {
        #expect(ClusterSlot.crc16(Array("123456789".utf8)) == 0x31C3)
    }

    @Test func hashTagDecidesTheSlot() {
        #expect(ClusterSlot(key: "{user1000}.following") == ClusterSlot(key: "user1000"))
        #expect(ClusterSlot(key: "herald:{site-a}:bc") == ClusterSlot(key: "herald:{site-a}:dv"))
        #expect(ClusterSlot(key: "foo{bar}{zap}") == ClusterSlot(key: "bar"))
    }

    @Test func emptyOrUnclosedTagsHashTheWholeKey() {
        #expect(ClusterSlot(key: "foo{}{bar}") != ClusterSlot(key: "bar"))
        #expect(ClusterSlot(key: "foo{}{bar}").number == 8363)
        #expect(ClusterSlot(key: "foo{bar").number == ClusterSlot(key: "foo{bar").number)
        #expect(ClusterSlot(key: "{{bar}}zap") == ClusterSlot(key: "{bar"))
    }

    @Test func binaryKeysHashByTheirBytes() {
        let key: [UInt8] = [0, 255, 0x7B, 0x61, 0x7D]
        #expect(ClusterSlot(key: key) == ClusterSlot(key: "a"))
    }
}
