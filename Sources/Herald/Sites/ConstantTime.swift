/// Secret comparison whose duration does not depend on where the strings differ.
public enum ConstantTime {
    /// Whether `candidate` equals `secret`, looking at every byte of `secret` whatever `candidate` is.
    public static func equals(_ candidate: String, _ secret: String) -> Bool {
        let expected = Array(secret.utf8)
        let given = Array(candidate.utf8)
        var difference = UInt8(truncatingIfNeeded: expected.count ^ given.count)
        for index in 0..<expected.count {
            let other = index < given.count ? given[index] : ~expected[index]
            difference |= expected[index] ^ other
        }
        return difference == 0 && expected.count == given.count
    }
}
