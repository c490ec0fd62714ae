/// One Redis command: its name and arguments, binary-safe.
///
/// The arguments are kept in one contiguous byte array with their lengths beside it, so a command is built
/// with one allocation and handed to hiredis' formatter without copying each argument again.
public struct RedisCommand: Sendable, Hashable {
    /// Every argument's bytes, back to back (the name first).
    private(set) var storage: [UInt8]
    /// The length of each argument in `storage`, in order; never empty.
    private(set) var lengths: [Int]

    /// A command from its name and text arguments, for example `RedisCommand("SET", ["key", "value"])`.
    public init(_ name: String, _ arguments: [String] = []) {
        storage = Array(name.utf8)
        lengths = [storage.count]
        for argument in arguments {
            append(argument)
        }
    }

    /// A command from its name and binary arguments, for values that are not text.
    public init(_ name: String, bytes arguments: [[UInt8]]) {
        storage = Array(name.utf8)
        lengths = [storage.count]
        for argument in arguments {
            append(bytes: argument)
        }
    }

    /// A command whose first element is its name, as typed in `redis-cli`. `arguments` must not be empty.
    public init(_ arguments: [String]) {
        precondition(!arguments.isEmpty, "a Redis command needs at least its name")
        self.init(arguments[0], Array(arguments.dropFirst()))
    }

    /// A binary command whose first element is its name. `arguments` must not be empty.
    public init(bytes arguments: [[UInt8]]) {
        precondition(!arguments.isEmpty, "a Redis command needs at least its name")
        storage = arguments[0]
        lengths = [storage.count]
        for argument in arguments.dropFirst() {
            append(bytes: argument)
        }
    }

    /// Adds a text argument (UTF-8), for building commands whose arguments mix text and bytes.
    public mutating func append(_ argument: String) {
        let before = storage.count
        storage.append(contentsOf: argument.utf8)
        lengths.append(storage.count - before)
    }

    /// Adds a binary argument.
    public mutating func append(bytes argument: some Collection<UInt8>) {
        storage.append(contentsOf: argument)
        lengths.append(argument.count)
    }

    /// The command's name (its first element), as text.
    public var name: String {
        String(decoding: storage.prefix(lengths[0]), as: UTF8.self)
    }

    /// Every element of the command, the name first.
    public var arguments: [[UInt8]] {
        var result: [[UInt8]] = []
        result.reserveCapacity(lengths.count)
        var offset = 0
        for length in lengths {
            result.append(Array(storage[offset..<offset + length]))
            offset += length
        }
        return result
    }
}
