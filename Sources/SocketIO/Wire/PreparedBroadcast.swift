import NIOConcurrencyHelpers
public import NIOCore

/// A broadcast as a ``SocketWire`` other than Socket.IO's sees it: the event it carries, decoded from its Socket.IO
/// form at most once for all recipients, and renderings that a wire computes once and every recipient shares.
public struct PreparedBroadcast: Sendable {
    let packet: PreparedSocketPacket

    init(_ packet: PreparedSocketPacket) {
        self.packet = packet
    }

    /// The event's name and arguments (the connection state recovery offset, if any, left out); nil for a packet that
    /// is no event.
    public var event: BroadcastEvent? {
        packet.renderings.event
    }

    /// The rendering of this broadcast named `format`, made by `render` for the first recipient that asks and shared
    /// with the others; nil when `render` returns nil (the broadcast is not for that wire).
    public func rendering(_ format: String, _ render: (BroadcastEvent) -> ByteBuffer?) -> ByteBuffer? {
        packet.renderings.rendering(format, render)
    }
}

/// The event a broadcast carries.
public struct BroadcastEvent: Sendable, Hashable {
    /// The event name.
    public let name: String
    /// The event's arguments, as ``JSONValue/raw(_:)`` values: written on, they are the bytes of the Socket.IO
    /// packet.
    public let arguments: [JSONValue]
}

/// What a prepared packet's non-Socket.IO recipients share: the decoded event and the renderings made from it.
final class BroadcastRenderings: Sendable {
    private let text: String
    private let hasOffset: Bool
    private let state = NIOLockedValueBox<State>(State())

    private struct State {
        var decoded = false
        var event: BroadcastEvent?
        var renderings: [String: ByteBuffer?] = [:]
    }

    init(text: String, hasOffset: Bool) {
        self.text = text
        self.hasOffset = hasOffset
    }

    var event: BroadcastEvent? {
        state.withLockedValue { state in decodedEvent(&state) }
    }

    func rendering(_ format: String, _ render: (BroadcastEvent) -> ByteBuffer?) -> ByteBuffer? {
        state.withLockedValue { state in
            if let rendered = state.renderings[format] { return rendered }
            let rendered = decodedEvent(&state).flatMap(render)
            state.renderings[format] = rendered
            return rendered
        }
    }

    private func decodedEvent(_ state: inout State) -> BroadcastEvent? {
        if state.decoded { return state.event }
        state.decoded = true
        var decoder = SocketPacketDecoder(maxAttachments: 0, keepsPayloadRaw: true)
        guard case .event(_, _, let name, var arguments)? = try? decoder.decode(text: text) else { return nil }
        if hasOffset, !arguments.isEmpty {
            arguments.removeLast()
        }
        state.event = BroadcastEvent(name: name, arguments: arguments)
        return state.event
    }
}
