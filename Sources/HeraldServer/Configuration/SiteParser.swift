import Herald

/// Reads one site of `sites.yml`.
enum SiteParser {
    /// Keys of a site that Herald reads.
    static let knownKeys: Set<String> = Set([
        "authUrl", "authScheme", "apiKey", "userRoomPrefix", "updateUserUrl", "publicChannel", "tokens", "jwt", "recovery",
        "presence", "permessageDeflate",
    ]).union(SiteLimitsParser.knownKeys).union(SiteInteractionParser.knownKeys).union(AddressPolicyParser.knownKeys)

    static func parse(_ value: YAMLValue, name: String, warnings: inout [String]) throws(ConfigurationError) -> Site {
        let keys = try value.mapping()
        keys.warnAboutUnknownKeys(known: knownKeys, into: &warnings)
        var site = Site(
            name: name,
            authentication: try authentication(keys, site: value, warnings: &warnings),
            apiKey: try apiKey(keys, site: value, warnings: &warnings)
        )
        if let authScheme = keys["authScheme"] {
            site.authScheme = try authScheme.nonEmptyString()
        }
        if let userRoomPrefix = keys["userRoomPrefix"] {
            let prefix = try userRoomPrefix.string()
            site.userRoomPrefix = prefix.isEmpty ? nil : prefix
        }
        if let updateUserURL = keys["updateUserUrl"] {
            site.updateUserURL = try httpURL(updateUserURL)
            if site.userRoomPrefix == nil {
                warnings.append(updateUserURL.warning("has no effect without userRoomPrefix (users are known by their user room)"))
            }
        }
        if let publicChannel = keys["publicChannel"] {
            site.publicChannel = try publicChannel.nonEmptyString()
            if site.userRoomPrefix == nil {
                warnings.append(publicChannel.warning("has no effect without userRoomPrefix"))
            }
        }
        site.limits = try SiteLimitsParser.parse(keys)
        site.interaction = try SiteInteractionParser.parse(keys, warnings: &warnings)
        site.addresses = try AddressPolicyParser.parse(keys)
        if let recovery = keys["recovery"] {
            site.recovery = try SiteRecoveryParser.parse(recovery, warnings: &warnings)
        }
        if let presence = keys["presence"] {
            site.presence = try SitePresenceParser.parse(presence, userRoomPrefix: site.userRoomPrefix, warnings: &warnings)
        }
        if let permessageDeflate = keys["permessageDeflate"] {
            site.permessageDeflate = try SitePermessageDeflateParser.parse(permessageDeflate, warnings: &warnings)
        }
        return site
    }

    /// The one way the site authenticates: `authUrl`, `tokens` or `jwt`.
    private static func authentication(
        _ keys: YAMLMapping,
        site: YAMLValue,
        warnings: inout [String]
    ) throws(ConfigurationError) -> SiteAuthentication {
        let methods = ["authUrl", "tokens", "jwt"].compactMap { name in keys[name].map { (name: name, value: $0) } }
        guard methods.count <= 1 else {
            let names = methods.map(\.name).joined(separator: ", ")
            throw methods[1].value.error("set only one of authUrl, tokens and jwt (found \(names))")
        }
        switch methods.first {
        case ("authUrl", let authURL)?:
            return .authURL(try httpURL(authURL))
        case ("tokens", let tokens)?:
            return .tokens(try TokenTableParser.parse(tokens))
        case (_, let jwt)?:
            return .jwt(try JWTSettingsParser.parse(jwt, warnings: &warnings))
        case nil:
            throw site.error(
                "needs authUrl (an endpoint that answers the rooms of a token), tokens (a fixed table) or jwt (signed tokens)"
            )
        }
    }

    /// The API key. The Node service compared `apiKey.toString()`, so its own sample (`apiKey: 54321`) worked
    /// unquoted: a plain decimal number is accepted with a warning, any other non-string is refused.
    private static func apiKey(_ keys: YAMLMapping, site: YAMLValue, warnings: inout [String]) throws(ConfigurationError) -> String {
        guard let apiKey = keys["apiKey"] else {
            throw site.missingChild("apiKey").error("must be a non-empty string (the secret backends present to POST /send)")
        }
        if apiKey.isInteger, let text = apiKey.scalarText, text == "0" || (text.first != "0" && text.allSatisfy(\.isASCIIDigit)) {
            warnings.append(apiKey.warning("is a number; quote it so it stays a string"))
            return text
        }
        return try apiKey.secret()
    }

    /// The value as an absolute `http://` or `https://` URL.
    static func httpURL(_ value: YAMLValue) throws(ConfigurationError) -> String {
        let text = try value.nonEmptyString()
        guard ValueFormat.isHTTPURL(text) else {
            throw value.error("must be an absolute http:// or https:// URL")
        }
        return text
    }
}

extension Character {
    /// Whether the character is one of `0`–`9`.
    fileprivate var isASCIIDigit: Bool {
        ("0"..."9").contains(self)
    }
}
