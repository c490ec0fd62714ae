/// How much configuration input Herald accepts before it refuses a file with an error instead of reading it.
///
/// `sites.yml` may be written by something other than the operator (a control panel filling in tenants' sites, a
/// tenant's own token table), and it is read again on every SIGHUP by the running server: a file of a few hundred
/// bytes of nested aliases or merge keys, or a mapping nested thousands of levels deep, must be refused within a
/// second instead of taking gigabytes or the stack. The byte limit also bounds a `tokens:` table, which lives in
/// `sites.yml`: the default admits a table of 1,000,000 tokens.
struct ConfigurationInputLimits: Sendable, Hashable {
    /// Largest `config.yml` or `sites.yml` in bytes; `HERALD_MAX_CONFIG_BYTES` overrides it.
    var maxFileBytes: Int
    /// Deepest nesting of mappings and lists; real configurations use fewer than ten levels.
    var maxDepth: Int
    /// Most values (scalars, mappings, lists) a document may hold once every alias and merge key is expanded.
    var maxNodes: Int

    /// The defaults: 64 MiB per file, 64 levels, 16,000,000 values.
    init(maxFileBytes: Int = 64 << 20, maxDepth: Int = 64, maxNodes: Int = 16_000_000) {
        self.maxFileBytes = maxFileBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
    }

    /// The environment variable that sets ``maxFileBytes``.
    static let maxFileBytesVariable = "HERALD_MAX_CONFIG_BYTES"

    /// The defaults with `HERALD_MAX_CONFIG_BYTES` applied.
    static func from(_ environment: EnvironmentVariables) throws(ConfigurationError) -> ConfigurationInputLimits {
        var limits = ConfigurationInputLimits()
        if let bytes = try environment.integer(maxFileBytesVariable, in: 1...Int.max, "a positive number of bytes") {
            limits.maxFileBytes = bytes
        }
        return limits
    }
}
