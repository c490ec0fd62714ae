extension RedisClient {
    /// Runs `script` with `EVALSHA`; when Redis does not know it (`NOSCRIPT`: first use, a restart, or
    /// `SCRIPT FLUSH`) sends it once with `EVAL`, which also caches it for the next call.
    ///
    /// - Throws: ``RedisError/server(_:)`` when the script fails, as for any command.
    public func run(_ script: RedisScript, keys: [String] = [], arguments: [String] = []) async throws(RedisError) -> RedisValue {
        try await run(script, keys: keys.map { Array($0.utf8) }, arguments: arguments.map { Array($0.utf8) })
    }

    /// Runs `script` with binary keys and arguments, like the text form.
    public func run(_ script: RedisScript, keys: [[UInt8]], arguments: [[UInt8]]) async throws(RedisError) -> RedisValue {
        do {
            return try await send(script.evalSHACommand(keys: keys, arguments: arguments))
        } catch .server(let message) where message.hasPrefix("NOSCRIPT") {
            return try await send(script.evalCommand(keys: keys, arguments: arguments))
        }
    }
}
