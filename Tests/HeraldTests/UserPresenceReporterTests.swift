import Foundation
import SocketIO
import Testing

@testable import Herald

@Suite struct UserPresenceReporterTests {
    private let site = Site(
        name: "shop",
        authentication: .authURL("http://127.0.0.1:9/auth"),
        apiKey: "k",
        userRoomPrefix: "user_",
        updateUserURL: "http://127.0.0.1:9/users/:id"
    )

    @Test func connectIsAPutWithTheNodeServiceBody() throws {
        let date = Date(timeIntervalSince1970: 1_764_070_436.125)
        let request = try #require(
            UserPresenceReporter.request(for: .connected, userID: "42", token: "tok", site: site, at: date, timeout: .seconds(5))
        )
        #expect(request.method == .put)
        #expect(request.url == "http://127.0.0.1:9/users/42")
        #expect(request.headers.contains { $0.name == "Authorization" && $0.value == "Bearer tok" })
        let body = try JSONValue(parsing: String(decoding: request.body ?? [], as: UTF8.self))
        #expect(body == ["id": "42", "user": ["last_connected": "2025-11-25T11:33:56.125Z"]])
    }

    @Test func disconnectUsesLastDisconnectedAndEscapesTheID() throws {
        let request = try #require(
            UserPresenceReporter.request(for: .disconnected, userID: "a b/c", token: "t", site: site, at: Date(), timeout: .seconds(5))
        )
        #expect(request.url == "http://127.0.0.1:9/users/a%20b%2Fc")
        let body = try JSONValue(parsing: String(decoding: request.body ?? [], as: UTF8.self))
        #expect(body["user"]?["last_disconnected"]?.stringValue != nil)
    }

    @Test func noRequestWithoutUpdateUserURL() {
        var quiet = site
        quiet.updateUserURL = nil
        #expect(
            UserPresenceReporter.request(for: .connected, userID: "1", token: "t", site: quiet, at: Date(), timeout: .seconds(5)) == nil
        )
    }
}
