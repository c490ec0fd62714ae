import NIOConcurrencyHelpers
import NIOCore

/// The fleet's open channels by client index, registered from many tasks, taken one by one to drop a client and
/// drained once at the end.
final class ChannelList: Sendable {
    private let box = NIOLockedValueBox<[Int: any Channel]>([:])

    /// Remembers `channel` as client `index`'s connection.
    func set(_ index: Int, _ channel: any Channel) {
        box.withLockedValue { $0[index] = channel }
    }

    /// Returns and forgets client `index`'s connection.
    func take(_ index: Int) -> (any Channel)? {
        box.withLockedValue { $0.removeValue(forKey: index) }
    }

    /// Returns and forgets every remembered channel.
    func drain() -> [any Channel] {
        box.withLockedValue { channels in
            defer { channels = [:] }
            return Array(channels.values)
        }
    }
}
