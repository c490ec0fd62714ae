public import Herald
import NIOConcurrencyHelpers

/// A wall clock tests move by hand.
public final class ManualWallClock: WallClock {
    private let now: NIOLockedValueBox<Int64>

    /// Starts at `milliseconds`.
    public init(milliseconds: Int64 = 1_764_000_000_000) {
        now = NIOLockedValueBox(milliseconds)
    }

    public var milliseconds: Int64 { now.withLockedValue { $0 } }

    /// Moves the clock by `seconds` (negative steps back).
    public func advance(seconds: Double) {
        now.withLockedValue { $0 += Int64(seconds * 1000) }
    }
}
