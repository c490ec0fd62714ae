import HeraldRedis
import Testing

extension RedisTests {
    @Suite struct TLS {
        @Test func redissVerifiesTheServerAgainstTheGivenCA() async throws {
            let certificates = try TestCertificates()
            try await withRedis(.init(password: "tls-secret", tls: certificates)) { server, _ in
                var configuration = try testConfiguration(for: server, url: server.tlsURL)
                configuration.tls?.caFile = certificates.caCertificate
                let client = try RedisClient(configuration: configuration)
                try await client.waitUntilConnected(timeout: .seconds(5))
                #expect(try await client.send(["SET", "over", "tls"]) == .simpleString("OK"))
                #expect(try await client.pipeline((0..<100).map { _ in ["INCR", "n"] }).last == .integer(100))
                let info = try await client.send(["CLIENT", "INFO"]).string ?? ""
                #expect(info.contains("laddr=127.0.0.1:\(server.tlsPort ?? 0)"))
                await client.close()
            }
        }

        @Test func serverNameIsCheckedWhenGiven() async throws {
            let certificates = try TestCertificates(subjectAlternativeNames: "DNS:localhost")
            try await withRedis(.init(tls: certificates)) { server, _ in
                var configuration = try testConfiguration(for: server, url: server.tlsURL)
                configuration.tls = RedisTLSConfiguration(caFile: certificates.caCertificate)
                let byAddress = try RedisClient(configuration: configuration)
                #expect(await redisError { try await byAddress.waitUntilConnected(timeout: .milliseconds(700)) } == .timedOut)
                await byAddress.close()

                configuration.tls?.serverName = "localhost"
                let named = try RedisClient(configuration: configuration)
                try await named.waitUntilConnected(timeout: .seconds(5))
                let pong = try await named.send(["PING"])
                #expect(pong == .simpleString("PONG"))
                await named.close()

                configuration.tls?.serverName = "redis.example.com"
                let misnamed = try RedisClient(configuration: configuration)
                #expect(await redisError { try await misnamed.waitUntilConnected(timeout: .milliseconds(700)) } == .timedOut)
                await misnamed.close()
            }
        }

        @Test func unknownCAIsRefusedUnlessVerificationIsOff() async throws {
            let certificates = try TestCertificates()
            let strangers = try TestCertificates()
            try await withRedis(.init(tls: certificates)) { server, _ in
                var configuration = try testConfiguration(for: server, url: server.tlsURL)
                configuration.tls?.caFile = strangers.caCertificate
                let verifying = try RedisClient(configuration: configuration)
                #expect(await redisError { try await verifying.waitUntilConnected(timeout: .milliseconds(700)) } == .timedOut)
                guard case .disconnected(let reason) = verifying.state else {
                    Issue.record("expected disconnected, got \(verifying.state)")
                    await verifying.close()
                    return
                }
                #expect(reason.lowercased().contains("certificate"))
                await verifying.close()

                configuration.tls?.verifiesCertificate = false
                let trusting = try RedisClient(configuration: configuration)
                try await trusting.waitUntilConnected(timeout: .seconds(5))
                #expect(try await trusting.send(["PING"]) == .simpleString("PONG"))
                await trusting.close()
            }
        }

        @Test func missingCAFileIsAConfigurationError() throws {
            var configuration = try RedisConfiguration(url: "rediss://127.0.0.1:6390")
            configuration.tls?.caFile = "/nonexistent/ca.pem"
            #expect {
                _ = try RedisClient(configuration: configuration)
            } throws: { error in
                if case .invalidConfiguration = error as? RedisError { true } else { false }
            }
        }
    }
}
