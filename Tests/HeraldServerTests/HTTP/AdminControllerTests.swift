import Foundation
import Herald
import HeraldServer
import Hummingbird
import HummingbirdTesting
import Testing

/// The admin API exists only with `admin.key`, answers 401 without it, and JSON with it.
@Suite struct AdminControllerTests {
    private static let apiPaths = [
        "/admin/api/sites",
        "/admin/api/sites/shop/rooms",
        "/admin/api/sites/shop/rooms/news/sockets",
    ]

    private static var authorized: HTTPFields {
        [.authorization: "Bearer \(ObservabilityTestApp.adminKey)"]
    }

    @Test func withoutAdminKeyEveryAdminPathIsNotFound() async throws {
        try await ObservabilityTestApp.run { client in
            for path in ["/admin"] + Self.apiPaths {
                let response = try await client.execute(uri: path, method: .get, headers: Self.authorized)
                #expect(response.status == .notFound, "\(path)")
            }
            let delete = try await client.execute(uri: "/admin/api/sites/shop/users/1", method: .delete, headers: Self.authorized)
            #expect(delete.status == .notFound)
        }
    }

    @Test func withoutOrWithAWrongKeyTheAPIIsUnauthorized() async throws {
        try await ObservabilityTestApp.run(adminKey: ObservabilityTestApp.adminKey) { client in
            let wrongKeys: [HTTPFields] = [
                [:],
                [.authorization: "Bearer wrong"],
                [.authorization: "Bearer \(ObservabilityTestApp.adminKey)x"],
                [.authorization: "Basic \(ObservabilityTestApp.adminKey)"],
            ]
            for headers in wrongKeys {
                for path in Self.apiPaths {
                    let response = try await client.execute(uri: path, method: .get, headers: headers)
                    #expect(response.status == .unauthorized, "\(path) \(headers)")
                    #expect(response.headers[.wwwAuthenticate] == "Bearer")
                }
                let delete = try await client.execute(uri: "/admin/api/sites/shop/sockets/abc", method: .delete, headers: headers)
                #expect(delete.status == .unauthorized)
            }
        }
    }

    @Test func withTheKeySitesAreListedWithTheirCounts() async throws {
        try await ObservabilityTestApp.run(adminKey: ObservabilityTestApp.adminKey) { client in
            let body = #"{"rooms":["news"],"event":"message","args":[1]}"#
            #expect(try await ObservabilityTestApp.send(client, key: "shop-key-0123456789", body: body) == .ok)
            #expect(try await ObservabilityTestApp.send(client, key: "shop-key-0123456789", body: body) == .ok)
            let response = try await client.execute(uri: "/admin/api/sites", method: .get, headers: Self.authorized)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
            #expect(json?["scope"] as? String == "cluster")
            #expect(json?["instances"] as? [String] == ["local"], "a single instance answers for itself")
            #expect(json?["missing"] as? [String] == [])
            let sites = json?["sites"] as? [[String: Any]]
            #expect(sites?.count == 1)
            #expect(sites?.first?["name"] as? String == "shop")
            #expect(sites?.first?["connections"] as? Int == 0)
            #expect(sites?.first?["messagesEmitted"] as? Int == 2)
            #expect(sites?.first?["transports"] as? [String: Int] == ["polling": 0, "websocket": 0, "websocket-json": 0, "sse": 0])
        }
    }

    @Test func unknownSitesAndSocketsAreNotFound() async throws {
        try await ObservabilityTestApp.run(adminKey: ObservabilityTestApp.adminKey) { client in
            for path in ["/admin/api/sites/nope/rooms", "/admin/api/sites/nope/rooms/news/sockets"] {
                let response = try await client.execute(uri: path, method: .get, headers: Self.authorized)
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body) == #"{"error":"unknown site: nope"}"#)
            }
            let socket = try await client.execute(uri: "/admin/api/sites/shop/sockets/abc", method: .delete, headers: Self.authorized)
            #expect(socket.status == .notFound)
            let rooms = try await client.execute(uri: "/admin/api/sites/shop/rooms", method: .get, headers: Self.authorized)
            #expect(String(buffer: rooms.body) == #"{"instances":["local"],"missing":[],"rooms":[],"site":"shop","truncated":false}"#)
            let user = try await client.execute(uri: "/admin/api/sites/shop/users/1", method: .delete, headers: Self.authorized)
            #expect(user.status == .ok)
            #expect(String(buffer: user.body) == #"{"disconnected":0}"#)
        }
    }

    @Test func thePageIsServedWithItsScriptUnderAStrictPolicy() async throws {
        try await ObservabilityTestApp.run(adminKey: ObservabilityTestApp.adminKey) { client in
            let page = try await client.execute(uri: "/admin", method: .get)
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            #expect(html.contains("script-src 'self'"))
            #expect(html.contains(#"<script src="/admin/admin.js" defer></script>"#))
            #expect(!html.contains("http://") && !html.contains("https://"))
            let script = try await client.execute(uri: "/admin/admin.js", method: .get)
            #expect(script.status == .ok)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
        }
    }
}
