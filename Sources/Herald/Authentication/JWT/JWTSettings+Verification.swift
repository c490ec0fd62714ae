import SocketIO

extension JWTSettings {
    /// The claims of `token` when it is a JWT this site accepts at `now` (seconds since 1970), or why not.
    ///
    /// The order matters: the header's `alg` is checked against the site's list before any key is used (so an RS256
    /// site never treats its public key as an HMAC secret), and the payload is parsed only once the signature
    /// verified.
    public func claims(of token: String, now: Int64) throws(JWTRejection) -> JWTClaims {
        let jwt = try CompactJWT(token)
        let algorithm = try allowedAlgorithm(jwt.header)
        guard JWTSignatureVerifier.verify(jwt.signature, of: jwt.signingInput.utf8, algorithm: algorithm, keys: self) else {
            throw .badSignature
        }
        let payload = try jwt.claims()
        let claims = try JWTClaims(payload)
        guard now < deadline(expiringAt: claims.expiresAt) else { throw .expired }
        if let nbf = payload["nbf"], try JWTClaims.numericDate(nbf, claim: "nbf") > now + Int64(leewaySeconds) {
            throw .notYetValid
        }
        try checkIssuer(payload["iss"])
        try checkAudience(payload["aud"])
        return claims
    }

    /// The moment a token expiring at `exp` stops being accepted, in seconds since 1970.
    public func deadline(expiringAt exp: Int64) -> Int64 {
        exp + Int64(leewaySeconds)
    }

    private func allowedAlgorithm(_ header: [String: JSONValue]) throws(JWTRejection) -> JWTAlgorithm {
        guard let name = header["alg"]?.stringValue else { throw .malformed("header has no alg") }
        if name.lowercased() == "none" { throw .unsigned }
        guard let algorithm = JWTAlgorithm(rawValue: name), algorithms.contains(algorithm) else {
            throw .algorithmNotAllowed(name)
        }
        if header["crit"] != nil { throw .criticalExtension }
        return algorithm
    }

    private func checkIssuer(_ iss: JSONValue?) throws(JWTRejection) {
        guard let issuer else { return }
        guard iss?.stringValue == issuer else { throw .wrongIssuer }
    }

    private func checkAudience(_ aud: JSONValue?) throws(JWTRejection) {
        switch (audience, aud) {
        case (_, nil), (_, .null?):
            if audience != nil { throw .wrongAudience }
        case (let audience?, .string(let named)?):
            if named != audience { throw .wrongAudience }
        case (let audience?, .array(let named)?):
            if !named.contains(.string(audience)) { throw .wrongAudience }
        default:
            throw .wrongAudience
        }
    }
}
