import Herald
import HeraldServer
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /metrics` prints what happened, in the Prometheus text format, with bounded labels.
@Suite struct MetricsControllerTests {
    private static let validBody = #"{"rooms":["news"],"event":"message","args":[1]}"#

    private func scrape(_ client: any TestClientProtocol) async throws -> String {
        let response = try await client.execute(uri: "/metrics", method: .get)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
        return String(buffer: response.body)
    }

    @Test func sendRequestsAreCountedBySiteAndStatus() async throws {
        try await ObservabilityTestApp.run { client in
            for _ in 0..<3 {
                #expect(try await ObservabilityTestApp.send(client, key: "shop-key-0123456789", body: Self.validBody) == .ok)
            }
            #expect(try await ObservabilityTestApp.send(client, key: "wrong", body: Self.validBody) == .unauthorized)
            #expect(try await ObservabilityTestApp.send(client, key: "shop-key-0123456789", body: "{") == .badRequest)
            let unknown = try await client.execute(uri: "/send?site=nope&apiKey=x", method: .post, body: ByteBuffer(string: "{}"))
            #expect(unknown.status == .unauthorized)

            let text = try await scrape(client)
            let lines = Set(text.split(separator: "\n").map(String.init))
            #expect(lines.contains(#"herald_send_requests_total{site="shop",status="200"} 3"#))
            #expect(lines.contains(#"herald_send_requests_total{site="shop",status="401"} 1"#))
            #expect(lines.contains(#"herald_send_requests_total{site="shop",status="400"} 1"#))
            #expect(lines.contains(#"herald_send_requests_total{site="unknown",status="401"} 1"#))
            #expect(lines.contains(#"herald_messages_emitted_total{site="shop"} 3"#))
            #expect(!text.contains("site=\"nope\""))
        }
    }

    @Test func liveGaugesAreSampledAtScrape() async throws {
        try await ObservabilityTestApp.run { client in
            let text = try await scrape(client)
            let lines = Set(text.split(separator: "\n").map(String.init))
            #expect(lines.contains(#"herald_connected_sockets{site="shop",transport="polling"} 0.0"#))
            #expect(lines.contains(#"herald_connected_sockets{site="shop",transport="websocket"} 0.0"#))
            #expect(lines.contains(#"herald_queued_messages{site="shop"} 0.0"#))
            #expect(lines.contains("# TYPE herald_connected_sockets gauge"))
        }
    }
}
