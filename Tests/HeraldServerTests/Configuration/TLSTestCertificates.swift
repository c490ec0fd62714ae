/// PEM files for the `tls:` tests, made once with the `openssl` CLI (EC P-256, valid until 2126): a test CA, a
/// `localhost` certificate it signed, that certificate's key, an unrelated key and the key encrypted. Test material
/// only, never served anywhere.
enum TLSTestCertificates {
    /// The CA (`O=Herald Tests, CN=Herald Test CA`).
    static let caCertificate = """
        -----BEGIN CERTIFICATE-----
        MIIBtzCCAV2gAwIBAgIUeN5rfWi42FVs1A1n4EAxlE6vOzAwCgYIKoZIzj0EAwIw
        MDEVMBMGA1UECgwMSGVyYWxkIFRlc3RzMRcwFQYDVQQDDA5IZXJhbGQgVGVzdCBD
        QTAgFw0yNjEyMDUwNTMzMThaGA8yMTI2MTExMTA1MzMxOFowMDEVMBMGA1UECgwM
        SGVyYWxkIFRlc3RzMRcwFQYDVQQDDA5IZXJhbGQgVGVzdCBDQTBZMBMGByqGSM49
        AgEGCCqGSM49AwEHA0IABAkjly91agpWS8GPjxR2U2wQ7W0hh3YFNk7SM1lnTp3y
        NIHJx0JVhUwaVRtKHaxMUa1+3KkqdiCXXfGhvN9nZ/GjUzBRMB0GA1UdDgQWBBRD
        vK7UHdyvUDXMwQT1w6P/gTSPfzAfBgNVHSMEGDAWgBRDvK7UHdyvUDXMwQT1w6P/
        gTSPfzAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIQCBEGKtK7oT
        Lbc2JlkwN/PP4I/vb7rvRJ+7dATBR9rdLQIgcURQWUzUt1wd5el4klqA+Vr6V+ET
        fc2yEFlgyYfQxC4=
        -----END CERTIFICATE-----
        """

    /// `O=Herald Tests, CN=localhost`, signed by the CA.
    static let serverCertificate = """
        -----BEGIN CERTIFICATE-----
        MIIBvjCCAWOgAwIBAgIUQNEzIcnM0txJoKYoOlwAkLCsrzYwCgYIKoZIzj0EAwIw
        MDEVMBMGA1UECgwMSGVyYWxkIFRlc3RzMRcwFQYDVQQDDA5IZXJhbGQgVGVzdCBD
        QTAgFw0yNjEyMDUwNTMzMTlaGA8yMTI2MTExMTA1MzMxOVowKzEVMBMGA1UECgwM
        SGVyYWxkIFRlc3RzMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggq
        hkjOPQMBBwNCAARgUP8acoJwzD3Ss1pRn8OSOc5bxpH0z7qG8CSDDI3XnX7eH0CG
        hmhsB7O/5yWzviKhHMtoSQaGjTZTyC5LyqYuo14wXDAaBgNVHREEEzARgglsb2Nh
        bGhvc3SHBH8AAAEwHQYDVR0OBBYEFMC7BExcjG6G4emFjG3n2PRcp/pcMB8GA1Ud
        IwQYMBaAFEO8rtQd3K9QNczBBPXDo/+BNI9/MAoGCCqGSM49BAMCA0kAMEYCIQDV
        JNkXRcLkh61m4ClVoiKjlwRMimikJXlmK7aBQLxkGgIhANZX7A5QVAeGyOZjsk9b
        fntj1lCKogzjlwxkLslaJ2Eo
        -----END CERTIFICATE-----
        """

    /// The key of ``serverCertificate``.
    static let serverKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg0s0KY91X3cu4FnTD
        zwJdfNxWECH0+Psht4YGRdH4iTShRANCAARgUP8acoJwzD3Ss1pRn8OSOc5bxpH0
        z7qG8CSDDI3XnX7eH0CGhmhsB7O/5yWzviKhHMtoSQaGjTZTyC5LyqYu
        -----END PRIVATE KEY-----
        """

    /// A key that belongs to no certificate here.
    static let otherKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgzBsgYltYAg8SNujv
        6MzgnH1tHxZKn5jlyfVL/39crwahRANCAARY4t1KGgUQdUkTNUkuZQdQclgY/A/n
        NSMDqulRigirSb1VSYnb+m4OuJ6Sgv2fiFmYvTRaZJTZp5TNgC7cin+p
        -----END PRIVATE KEY-----
        """

    /// ``serverKey`` encrypted with a passphrase.
    static let encryptedServerKey = """
        -----BEGIN ENCRYPTED PRIVATE KEY-----
        MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAiKVzMUQMGWsAICCAAw
        DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEECL6ntBTdxXPZF020yLRkX8EgZCD
        iJmqzyRQ94agjrKvVZv/vBtH05Pc6l2Aa5G1SRk7ld7qlktqdaHx9HeHcoXpyxew
        wkS5fbkdTq3CyV1c+t69Jm6QqpskxuCuGy240onOUSFNcp/0LrqbmKDZVNCbD/kn
        tsLE6X7aNWNAaEEYLgzKt+WpXwtCWWHX9MP15WFvduQ62PeJxRbOTdnGonflAHg=
        -----END ENCRYPTED PRIVATE KEY-----
        """
}
