/// Thrown by a namespace middleware to refuse a connection; the client receives CONNECT_ERROR with this content.
public struct ConnectError: Error, Sendable, Hashable {
    /// Shown to the client as the error's `message`.
    public var message: String
    /// Optional details, sent as the error's `data`.
    public var data: JSONValue?
    /// A stable, machine-readable cause for clients of other wires (``SocketWire``), which show it beside `message`;
    /// a Socket.IO client's CONNECT_ERROR does not carry it.
    public var code: String?

    /// Creates a refusal.
    public init(_ message: String, data: JSONValue? = nil, code: String? = nil) {
        self.message = message
        self.data = data
        self.code = code
    }

    /// The CONNECT_ERROR payload: `{"message": …, "data": …}`; for protocol v4 clients a bare string when there is no data.
    func payload(for version: SocketIOProtocolVersion) -> JSONValue {
        if version == .v4, data == nil { return .string(message) }
        var object: [String: JSONValue] = ["message": .string(message)]
        if let data { object["data"] = data }
        return .object(object)
    }
}
