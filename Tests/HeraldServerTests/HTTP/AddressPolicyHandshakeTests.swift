import Foundation
import HTTPTypes
import Herald
import HeraldServer
import Hummingbird
import HummingbirdTesting
import Logging
import NIOPosix
import Testing

/// The global `allowFrom` / `denyFrom` on a real socket: the polling handshake's client is the TCP peer (loopback),
/// or the `X-Forwarded-For` client when the peer is a trusted proxy; a refused one is answered 403 and takes nothing
/// from the connection rate.
@Suite struct AddressPolicyHandshakeTests {
    private static let handshake = "/socket.io/?EIO=4&transport=polling"

    private static func application(policy: ConnectionPolicySettings) -> some ApplicationProtocol {
        let logger = Logger(label: "test") { label in
            JSONLinesLogHandler(label: label, logLevel: .info, output: JSONLinesOutput { _ in })
        }
        let site = Site(name: "shop", authentication: .tokens([:]), apiKey: "shop-key-0123456789")
        var settings = HeraldSettings(port: 0, io: IOSettings(maxConnectionsPerSecond: 1, connectionBurst: 1))
        settings.connectionPolicy = policy
        let service = HeraldService(
            configuration: HeraldConfiguration(settings: settings, sites: [site.name: site]),
            hooks: UnusedHooks(),
            store: InMemoryMessageStore(settings: MessageStoreSettings(deviceTTL: 60)),
            logger: logger,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            connectionClock: { .zero }
        )
        return HeraldApplication.make(
            service: service,
            assets: StaticAssets(directory: URL(fileURLWithPath: "/nonexistent")),
            logger: logger
        )
    }

    @Test func aDeniedPeerGets403BeforeTheConnectionRateIsAsked() async throws {
        let policy = ConnectionPolicySettings(addresses: AddressPolicy(denyFrom: [try CIDR(parsing: "127.0.0.0/8")]))
        try await Self.application(policy: policy).test(.live) { client in
            for _ in 0..<3 {
                let refused = try await client.execute(uri: Self.handshake, method: .get)
                #expect(refused.status == .forbidden)
                #expect(String(buffer: refused.body) == #"{"message":"Address not allowed"}"#)
            }
        }
    }

    @Test func theForwardedClientIsCheckedOnlyBehindATrustedProxy() async throws {
        let denied = ["X-Forwarded-For": "192.0.2.66"]
        let policy = ConnectionPolicySettings(
            trustedProxies: [try CIDR(parsing: "127.0.0.1")],
            addresses: AddressPolicy(denyFrom: [try CIDR(parsing: "192.0.2.66")])
        )
        try await Self.application(policy: policy).test(.live) { client in
            let refused = try await client.execute(uri: Self.handshake, method: .get, headers: Self.fields(denied))
            #expect(refused.status == .forbidden)
            #expect(try await client.execute(uri: Self.handshake, method: .get).status == .ok)
        }
        let untrusting = ConnectionPolicySettings(addresses: AddressPolicy(denyFrom: [try CIDR(parsing: "192.0.2.66")]))
        try await Self.application(policy: untrusting).test(.live) { client in
            let spoofed = try await client.execute(uri: Self.handshake, method: .get, headers: Self.fields(denied))
            #expect(spoofed.status == .ok)
        }
    }

    private static func fields(_ values: [String: String]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in values {
            fields.append(HTTPField(name: HTTPField.Name(name)!, value: value))
        }
        return fields
    }
}
