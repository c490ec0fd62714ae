import NIOConcurrencyHelpers
public import SocketIO

/// The open connections of clients on wires other than Engine.IO's (Server-Sent Events), so a graceful stop closes
/// them with the Engine.IO sessions and their clients reconnect elsewhere.
public final class ClientWires: Sendable {
    private let wires = NIOLockedValueBox<[ObjectIdentifier: any SocketWire]>([:])

    init() {}

    /// Lists an open connection until ``remove(_:)``.
    public func add(_ wire: any SocketWire) {
        wires.withLockedValue { $0[ObjectIdentifier(wire)] = wire }
    }

    /// Forgets a connection that ended.
    public func remove(_ wire: any SocketWire) {
        wires.withLockedValue { $0[ObjectIdentifier(wire)] = nil }
    }

    /// How many connections are open.
    public var count: Int { wires.withLockedValue { $0.count } }

    /// Closes every connection, each on its event loop (a graceful stop).
    public func closeAll() {
        for wire in wires.withLockedValue({ Array($0.values) }) {
            wire.eventLoop.execute { wire.close() }
        }
    }
}
