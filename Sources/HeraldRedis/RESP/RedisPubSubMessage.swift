/// A message published to a channel this instance subscribed to.
public struct RedisPubSubMessage: Sendable, Hashable {
    /// The channel it was published to.
    public var channel: String
    /// The message as published, byte for byte.
    public var payload: [UInt8]

    /// A message from its parts.
    public init(channel: String, payload: [UInt8]) {
        self.channel = channel
        self.payload = payload
    }

    /// The payload decoded as UTF-8 (invalid sequences become U+FFFD).
    public var text: String {
        String(decoding: payload, as: UTF8.self)
    }

    /// Reads a RESP2 push `["message", channel, payload]` (or `["smessage", …]` of sharded pub/sub); `nil` for
    /// anything else (subscription confirmations and `PING` answers are replies to commands, not messages).
    init?(push value: RedisValue) {
        guard case .array(let parts) = value, parts.count == 3,
            parts[0] == .bulkString(Array("message".utf8)) || parts[0] == .bulkString(Array("smessage".utf8)),
            let channel = parts[1].string, case .bulkString(let payload) = parts[2]
        else {
            return nil
        }
        self.init(channel: channel, payload: payload)
    }
}
