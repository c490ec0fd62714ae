import Foundation

/// Wall-clock time in milliseconds since 1970; a seam so expiry and ID generation are tested without waiting.
public protocol WallClock: Sendable {
    /// Milliseconds since 1970.
    var milliseconds: Int64 { get }
}

/// The system's wall clock.
public struct SystemWallClock: WallClock {
    /// Creates the clock.
    public init() {}

    public var milliseconds: Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}
