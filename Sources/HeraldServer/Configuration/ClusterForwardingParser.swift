import Herald

extension SettingsParser {
    /// The shortest `cluster.secret` accepted: forwarded requests are signed with it (HMAC-SHA256).
    static let minimumClusterSecretLength = 16

    /// `cluster.advertise`, `cluster.secret` and `cluster.maxForwards`: polling forwarded between instances.
    static func parseForwarding(_ cluster: YAMLMapping, into settings: inout HeraldSettings) throws(ConfigurationError) {
        if let advertise = cluster["advertise"] {
            let text = try advertise.nonEmptyString()
            guard InstanceAddress(text) != nil else {
                throw advertise.error("must be host:port (an IPv6 host in brackets), the port 1-65535")
            }
            settings.clusterAdvertise = text
        }
        if let secret = cluster["secret"] {
            let text = try secret.nonEmptyString()
            guard text.count >= minimumClusterSecretLength else {
                throw secret.error("must be at least \(minimumClusterSecretLength) characters")
            }
            settings.clusterSecret = text
        }
        if let maxForwards = cluster["maxForwards"] {
            settings.clusterMaxForwards = try maxForwards.integer(in: 1...1_000_000, "a number of requests between 1 and 1000000")
        }
    }
}
