public import HTTPTypes

/// The standard Engine.IO error answers, each with its code, message and HTTP status.
public enum EngineError: Int, Error, Sendable, CaseIterable {
    case unknownTransport = 0
    case unknownSessionID = 1
    case badHandshakeMethod = 2
    case badRequest = 3
    case forbidden = 4
    case unsupportedProtocolVersion = 5

    /// Message text as the reference server writes it.
    public var message: String {
        switch self {
        case .unknownTransport: "Transport unknown"
        case .unknownSessionID: "Session ID unknown"
        case .badHandshakeMethod: "Bad handshake method"
        case .badRequest: "Bad request"
        case .forbidden: "Forbidden"
        case .unsupportedProtocolVersion: "Unsupported protocol version"
        }
    }

    /// HTTP status of the answer.
    public var status: HTTPResponse.Status {
        self == .forbidden ? .forbidden : .badRequest
    }

    /// JSON body: `{"code":0,"message":"Transport unknown"}`.
    public var body: String {
        #"{"code":\#(rawValue),"message":"\#(message)"}"#
    }
}
