/// Why a `POST /send` body was refused; `reason` is sent to the backend with status 400.
public struct SendRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, in words a backend developer can act on.
    public var reason: String

    /// Creates an error.
    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
