/// A Lua script run with `EVALSHA`, so that only its 40-character digest travels with each call.
///
/// The digest is computed here (SHA-1 of the source, as Redis computes it), so a script needs no round trip
/// before its first use and can be declared as a constant.
public struct RedisScript: Sendable, Hashable {
    /// The Lua source.
    public let source: String
    /// The lowercase hexadecimal SHA-1 of ``source``, the name Redis caches the script under.
    public let sha1: String

    /// A script from its Lua source.
    public init(_ source: String) {
        self.source = source
        self.sha1 = SHA1.hexDigest(of: Array(source.utf8))
    }

    /// `EVALSHA sha1 numkeys keys… arguments…`.
    func evalSHACommand(keys: [[UInt8]], arguments: [[UInt8]]) -> RedisCommand {
        invocation("EVALSHA", sha1, keys: keys, arguments: arguments)
    }

    /// `EVAL source numkeys keys… arguments…`, which also caches the script for later `EVALSHA`.
    func evalCommand(keys: [[UInt8]], arguments: [[UInt8]]) -> RedisCommand {
        invocation("EVAL", source, keys: keys, arguments: arguments)
    }

    private func invocation(_ name: String, _ script: String, keys: [[UInt8]], arguments: [[UInt8]]) -> RedisCommand {
        var command = RedisCommand(name, [script, String(keys.count)])
        for key in keys {
            command.append(bytes: key)
        }
        for argument in arguments {
            command.append(bytes: argument)
        }
        return command
    }
}
