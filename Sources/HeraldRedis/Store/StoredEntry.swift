import Herald
import SocketIO

/// How a message is written in a device's Redis hash: `<event byte length>:<event><arguments as a JSON array>`, so
/// the scripts can read the event without a JSON parser and the arguments come back exactly: raw, as the backend
/// wrote them.
enum StoredEntry {
    static func encode(_ message: StoredMessage) -> String {
        "\(message.event.utf8.count):\(message.event)\(JSONValue.array(message.arguments).jsonString)"
    }

    static func decode(_ bytes: [UInt8], id: FlakeID) -> StoredMessage? {
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
            let length = Int(String(decoding: bytes[..<colon], as: UTF8.self)),
            colon + 1 + length <= bytes.count
        else { return nil }
        let eventEnd = colon + 1 + length
        let event = String(decoding: bytes[(colon + 1)..<eventEnd], as: UTF8.self)
        guard let arguments = try? RawJSON(validating: bytes[eventEnd...]).elements?.map(JSONValue.raw) else {
            return nil
        }
        return StoredMessage(id: id, event: event, arguments: arguments)
    }
}
