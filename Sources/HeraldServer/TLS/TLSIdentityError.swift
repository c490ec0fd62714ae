/// Why a certificate chain or private key cannot be served, naming the file to fix.
///
/// The message never quotes the files' contents: a private key must not reach a log.
public struct TLSIdentityError: Error, CustomStringConvertible, Sendable, Hashable {
    /// Which of the two files is at fault.
    public enum Part: Sendable, Hashable {
        /// The certificate chain (`tls.certificate`).
        case certificate
        /// The private key (`tls.privateKey`).
        case privateKey
        /// The pair: both read, but they do not belong together.
        case pair
    }

    /// The file at fault (for ``Part/pair``, the private key's).
    public var file: String
    /// Which file is at fault.
    public var part: Part
    /// What is wrong and how to fix it.
    public var message: String

    /// Creates an error.
    public init(file: String, part: Part, message: String) {
        self.file = file
        self.part = part
        self.message = message
    }

    /// `file: message`.
    public var description: String {
        "\(file): \(message)"
    }
}
