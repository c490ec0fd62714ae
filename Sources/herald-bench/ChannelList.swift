import NIOConcurrencyHelpers
import NIOCore

/// The fleet's open channels, appended from many tasks and drained once at the end.
final class ChannelList: Sendable {
    private let box = NIOLockedValueBox<[any Channel]>([])

    /// Remembers `channel` for ``drain()``.
    func append(_ channel: any Channel) {
        box.withLockedValue { $0.append(channel) }
    }

    /// Returns and forgets every remembered channel.
    func drain() -> [any Channel] {
        box.withLockedValue { channels in
            defer { channels = [] }
            return channels
        }
    }
}
