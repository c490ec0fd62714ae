/// What a socket that lost its connection leaves behind for its client to take back.
public struct RecoverableSession: Sendable, Hashable {
    /// The socket ID the client gets again.
    public var sid: String
    /// The private session ID the client presents (`auth.pid`); never shown to other clients.
    public var pid: String
    /// The rooms the socket was in, its own room included.
    public var rooms: Set<String>

    /// Creates a session.
    public init(sid: String, pid: String, rooms: Set<String>) {
        self.sid = sid
        self.pid = pid
        self.rooms = rooms
    }
}

/// One event recorded in a namespace's history: its wire text without the offset, and who it was for.
public struct RecordedEvent: Sendable, Hashable {
    /// The event's offset.
    public var offset: RecoveryOffset
    /// The packet as ``SocketPacketEncoder`` writes it, before the offset was appended.
    public var text: String
    /// The broadcast's selection.
    public var options: BroadcastOptions

    /// Creates a recorded event.
    public init(offset: RecoveryOffset, text: String, options: BroadcastOptions) {
        self.offset = offset
        self.text = text
        self.options = options
    }

    /// Whether a socket in `rooms` was selected by the broadcast (Socket.IO's `shouldIncludePacket`).
    public func includes(socketIn rooms: Set<String>) -> Bool {
        let selected = options.rooms.isEmpty || !options.rooms.isDisjoint(with: rooms)
        return selected && options.except.isDisjoint(with: rooms)
    }

    /// The packet text with the offset appended as the event's last argument.
    public var textWithOffset: String { Self.appendingOffset(offset, to: text) }

    /// `42/ns,["e",1]` → `42/ns,["e",1,"7"]`: an event packet's text always ends with its argument array.
    public static func appendingOffset(_ offset: RecoveryOffset, to text: String) -> String {
        var result = String(text.dropLast())
        result += ",\"\(offset)\"]"
        return result
    }
}

/// The events a returning client missed, oldest first, and the offset the history had reached when they were read.
public struct MissedEvents: Sendable {
    /// The events, in offset order, each at most once.
    public var events: [RecordedEvent]
    /// Every event up to this offset is in `events` or was not for the socket.
    public var through: RecoveryOffset

    /// Creates the answer.
    public init(events: [RecordedEvent], through: RecoveryOffset) {
        self.events = events
        self.through = through
    }
}
