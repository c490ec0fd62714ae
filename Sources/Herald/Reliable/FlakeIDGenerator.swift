import NIOConcurrencyHelpers

/// Makes ``FlakeID``s for one process: unique for its datacenter and worker numbers, and strictly increasing
/// even when the wall clock steps back (the last timestamp is reused and the sequence carries on).
public final class FlakeIDGenerator: Sendable {
    private struct State {
        var lastMilliseconds: UInt64 = 0
        var sequence = 0
    }

    private let datacenter: Int
    private let worker: Int
    private let clock: any WallClock
    private let state = NIOLockedValueBox(State())

    /// Creates a generator; `datacenter` and `worker` must be in 0...31.
    public init(datacenter: Int, worker: Int, clock: any WallClock = SystemWallClock()) {
        precondition((0...31).contains(datacenter) && (0...31).contains(worker), "datacenter and worker are 5-bit numbers")
        self.datacenter = datacenter
        self.worker = worker
        self.clock = clock
    }

    /// The next ID.
    public func next() -> FlakeID {
        let now = UInt64(max(0, clock.milliseconds))
        return state.withLockedValue { state in
            if now > state.lastMilliseconds {
                state.lastMilliseconds = now
                state.sequence = 0
            } else {
                state.sequence += 1
                if state.sequence > 0xFFF {
                    state.lastMilliseconds += 1
                    state.sequence = 0
                }
            }
            return FlakeID(
                milliseconds: state.lastMilliseconds,
                datacenter: datacenter,
                worker: worker,
                sequence: state.sequence
            )
        }
    }
}
