import CHiredis

extension RedisValue {
    /// Copies a hiredis reply tree into Swift values. The caller still owns `reply` and frees it with
    /// `freeReplyObject` once (only the root: hiredis frees the children with it).
    init(reply: UnsafePointer<redisReply>) {
        let node = reply.pointee
        switch node.type {
        case REDIS_REPLY_STATUS:
            self = .simpleString(Self.text(node.str, node.len))
        case REDIS_REPLY_ERROR:
            self = .error(Self.text(node.str, node.len))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int(node.integer))
        case REDIS_REPLY_STRING:
            self = .bulkString(Array(UnsafeRawBufferPointer(start: node.str, count: node.len)))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisValue] = []
            elements.reserveCapacity(node.elements)
            for index in 0..<node.elements {
                if let child = node.element[index] {
                    elements.append(RedisValue(reply: child))
                } else {
                    elements.append(.null)
                }
            }
            self = .array(elements)
        case REDIS_REPLY_NIL:
            self = .null
        default:
            self = .error("hiredis produced a reply of unknown type \(node.type)")
        }
    }

    private static func text(_ pointer: UnsafeMutablePointer<CChar>?, _ length: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }
}
