import Herald

/// Reads address ranges: `allowFrom` / `denyFrom` (in `config.yml` for every site, in `sites.yml` for one) and
/// `trustedProxies`. Each is a list of CIDR ranges or single addresses (one range may be written without the list);
/// an entry that is no range fails with its own line and column.
enum AddressPolicyParser {
    /// The keys of an address policy.
    static let knownKeys: Set<String> = ["allowFrom", "denyFrom"]

    /// The `allowFrom` / `denyFrom` of `keys`; absent keys list nothing.
    static func parse(_ keys: YAMLMapping) throws(ConfigurationError) -> AddressPolicy {
        AddressPolicy(
            allowFrom: try keys["allowFrom"].map { value throws(ConfigurationError) in try ranges(value) } ?? [],
            denyFrom: try keys["denyFrom"].map { value throws(ConfigurationError) in try ranges(value) } ?? []
        )
    }

    /// The ranges of `value`: a list of ranges, or one range.
    static func ranges(_ value: YAMLValue) throws(ConfigurationError) -> [CIDR] {
        guard case .sequence = value.node else {
            return [try range(value)]
        }
        var ranges: [CIDR] = []
        for element in try value.sequence() {
            ranges.append(try range(element))
        }
        return ranges
    }

    private static func range(_ value: YAMLValue) throws(ConfigurationError) -> CIDR {
        let text = try value.nonEmptyString()
        do {
            return try CIDR(parsing: text)
        } catch {
            throw value.error("\"\(text.prefix(64))\" \(error)")
        }
    }
}
