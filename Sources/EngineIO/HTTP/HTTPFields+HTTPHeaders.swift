public import HTTPTypes
public import NIOHTTP1

extension HTTPFields {
    /// The header fields of a SwiftNIO request head (an upgrade request's), as the handshakes keep them; a field whose
    /// name is not a valid token is left out.
    public init(_ headers: HTTPHeaders) {
        self.init()
        for (name, value) in headers {
            if let fieldName = HTTPField.Name(name) {
                append(HTTPField(name: fieldName, value: value))
            }
        }
    }
}
