extension Site {
    /// Whether `candidate` is the site's API key, compared in time that does not depend on where they differ.
    public func accepts(apiKey candidate: String) -> Bool {
        let expected = Array(apiKey.utf8)
        let given = Array(candidate.utf8)
        var difference = UInt8(truncatingIfNeeded: expected.count ^ given.count)
        for index in 0..<expected.count {
            let other = index < given.count ? given[index] : ~expected[index]
            difference |= expected[index] ^ other
        }
        return difference == 0 && expected.count == given.count
    }
}
