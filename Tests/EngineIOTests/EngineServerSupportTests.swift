import NIOCore
import Testing

@testable import EngineIO

@Suite struct EngineServerSupportTests {
    @Test func errorBodiesMatchTheReferenceServer() {
        #expect(EngineError.unknownTransport.body == #"{"code":0,"message":"Transport unknown"}"#)
        #expect(EngineError.unknownSessionID.body == #"{"code":1,"message":"Session ID unknown"}"#)
        #expect(EngineError.badHandshakeMethod.body == #"{"code":2,"message":"Bad handshake method"}"#)
        #expect(EngineError.badRequest.body == #"{"code":3,"message":"Bad request"}"#)
        #expect(EngineError.forbidden.status == .forbidden)
        #expect(EngineError.unsupportedProtocolVersion.body == #"{"code":5,"message":"Unsupported protocol version"}"#)
    }

    @Test func corsReflectsAnyOriginByDefaultAndNarrowsToTheList() {
        #expect(CORSPolicy.reflectAnyOrigin.allowedOrigin(for: "https://a.example") == "https://a.example")
        #expect(CORSPolicy.reflectAnyOrigin.allowedOrigin(for: nil) == nil)
        let list = CORSPolicy.allowList(["https://a.example"])
        #expect(list.allowedOrigin(for: "https://a.example") == "https://a.example")
        #expect(list.allowedOrigin(for: "https://evil.example") == nil)
    }

    @Test func queryStringDecodesEscapesAndPlus() {
        let query = QueryString.parse("EIO=4&transport=polling&token=a%2Bb%20c&name=x+y&flag&bad=%zz")
        #expect(query["EIO"] == "4")
        #expect(query["token"] == "a+b c")
        #expect(query["name"] == "x y")
        #expect(query["flag"] == "")
        #expect(query["bad"] == "%zz")
        let split = QueryString.split(target: "/socket.io/?EIO=3&sid=abc")
        #expect(split.path == "/socket.io/")
        #expect(split.query == ["EIO": "3", "sid": "abc"])
    }

    @Test func sessionIDsAreURLSafeAndDistinct() {
        let ids = (0..<1_000).map { _ in SessionID.generate() }
        #expect(Set(ids).count == ids.count)
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        #expect(ids.allSatisfy { $0.count == 20 && $0.allSatisfy(allowed.contains) })
    }

    @Test func protocolVersionFollowsTheEIOParameter() throws {
        let server = EngineServer()
        #expect(try server.protocolVersion("4") == .v4)
        #expect(try server.protocolVersion("3") == .v3)
        #expect(try server.protocolVersion(nil) == .v3)
        #expect(throws: EngineError.unsupportedProtocolVersion) { try server.protocolVersion("5") }
        let v4Only = EngineServer(configuration: EngineConfiguration(allowEIO3: false))
        #expect(throws: EngineError.unsupportedProtocolVersion) { try v4Only.protocolVersion("3") }
    }
}
