public import SocketIO

/// Why a client's `_subscribe`, `_publish` or `_rpc` was not carried out: a stable `code` a client can branch on and
/// a message for people. The client gets it as its ack, `{"error": message, "code": code}`.
public struct CommandFailure: Error, Sendable, Hashable {
    /// The stable codes.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The event's argument is not the object the event needs.
        case invalidRequest = "invalid_request"
        /// The site has no hook for this event.
        case notEnabled = "not_enabled"
        /// The backend's hook refused (403).
        case forbidden
        /// The room is Herald's or a user's private room; clients cannot subscribe to it.
        case reservedRoom = "reserved_room"
        /// The socket is in `maxRoomsPerClient` rooms already.
        case roomLimit = "room_limit"
        /// Over `maxClientPublishesPerSecond`, or too many hook calls waiting for this socket.
        case rateLimited = "rate_limited"
        /// The published arguments are larger than the site's payload limit.
        case payloadTooLarge = "payload_too_large"
        /// The hook did not answer within the hook timeout.
        case hookTimeout = "hook_timeout"
        /// The hook could not be reached.
        case hookUnavailable = "hook_unavailable"
        /// The hook answered a status other than 200 or 403.
        case hookFailed = "hook_failed"
        /// The hook answered 200 with a body Herald cannot read.
        case hookInvalidAnswer = "hook_invalid_answer"
        /// The message store could not take the published message; nothing was sent.
        case storeUnavailable = "store_unavailable"
        /// The client unsubscribed before the hook allowed the subscription.
        case cancelled
    }

    /// The stable code.
    public var code: Code
    /// What went wrong, for people.
    public var message: String

    /// Creates a failure.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The ack a client gets.
    public var ack: JSONValue {
        ["error": .string(message), "code": .string(code.rawValue)]
    }
}
