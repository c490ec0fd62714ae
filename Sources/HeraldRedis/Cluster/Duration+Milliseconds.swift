extension Duration {
    /// Whole milliseconds, as Redis `PX` arguments take them.
    var redisMilliseconds: Int {
        Int(components.seconds) * 1000 + Int(components.attoseconds / 1_000_000_000_000_000)
    }
}
