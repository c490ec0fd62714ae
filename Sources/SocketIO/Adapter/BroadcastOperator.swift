/// Builds a broadcast: `namespace.to("a").to("b").except("c").emit("event", args)`.
public struct BroadcastOperator: Sendable {
    private let namespace: Namespace
    private var options = BroadcastOptions()

    init(namespace: Namespace) {
        self.namespace = namespace
    }

    /// Adds `room` to the targets.
    public func to(_ room: String) -> BroadcastOperator {
        var copy = self
        copy.options.rooms.insert(room)
        return copy
    }

    /// Adds `rooms` to the targets.
    public func to(_ rooms: some Sequence<String>) -> BroadcastOperator {
        var copy = self
        copy.options.rooms.formUnion(rooms)
        return copy
    }

    /// Leaves out the sockets in `room`.
    public func except(_ room: String) -> BroadcastOperator {
        var copy = self
        copy.options.except.insert(room)
        return copy
    }

    /// Sends `event` with `arguments` to the selected sockets, encoded once.
    public func emit(_ event: String, _ arguments: [JSONValue] = []) {
        namespace.adapter.broadcast(
            .event(namespace: namespace.name, ackID: nil, name: event, arguments: arguments),
            options: options
        )
    }

    /// Like ``emit(_:_:)``, returning once the selected sockets on this process have been handed the event (see
    /// ``Adapter/broadcastAndWait(_:options:)``).
    public func emitAndWait(_ event: String, _ arguments: [JSONValue] = []) async {
        await namespace.adapter.broadcastAndWait(
            .event(namespace: namespace.name, ackID: nil, name: event, arguments: arguments),
            options: options
        )
    }
}
