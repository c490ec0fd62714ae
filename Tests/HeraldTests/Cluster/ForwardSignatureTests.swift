import Foundation
import Herald
import Testing

/// The marker of a forwarded request: only a holder of the secret makes one that verifies, for this request only,
/// until it expires.
@Suite struct ForwardSignatureTests {
    let signature = ForwardSignature(secret: "cluster-secret-0123456789")
    let target = "/socket.io/?EIO=4&transport=polling&sid=abc"
    let now: Int64 = 1_700_000_000_000

    @Test func aMarkerVerifiesForItsRequestAndNamesTheClient() {
        let value = signature.sign(method: "GET", target: target, clientAddress: "203.0.113.7", nowMilliseconds: now)
        #expect(signature.verify(value, method: "GET", target: target, nowMilliseconds: now + 1_000)?.clientAddress == "203.0.113.7")
        let anonymous = signature.sign(method: "POST", target: target, clientAddress: nil, nowMilliseconds: now)
        #expect(
            signature.verify(anonymous, method: "POST", target: target, nowMilliseconds: now)
                == ForwardSignature.Verified(clientAddress: nil)
        )
    }

    @Test func anotherRequestAnotherSecretOrAnotherAddressDoesNotVerify() {
        let value = signature.sign(method: "GET", target: target, clientAddress: "203.0.113.7", nowMilliseconds: now)
        #expect(signature.verify(value, method: "POST", target: target, nowMilliseconds: now) == nil)
        #expect(signature.verify(value, method: "GET", target: target + "x", nowMilliseconds: now) == nil)
        #expect(
            ForwardSignature(secret: "another-secret-0123456").verify(value, method: "GET", target: target, nowMilliseconds: now) == nil
        )
        let relabelled = value.replacingOccurrences(of: "203.0.113.7", with: "10.0.0.1")
        #expect(signature.verify(relabelled, method: "GET", target: target, nowMilliseconds: now) == nil)
    }

    @Test func anExpiredOrMalformedMarkerDoesNotVerify() {
        let value = signature.sign(method: "GET", target: target, clientAddress: nil, nowMilliseconds: now)
        #expect(signature.verify(value, method: "GET", target: target, nowMilliseconds: now + ForwardSignature.validity + 1) == nil)
        for garbage in ["", "x", "1 2 3", "\(now + 1000) - \(String(repeating: "0", count: 64))", "\(now) - zz"] {
            #expect(signature.verify(garbage, method: "GET", target: target, nowMilliseconds: now) == nil)
        }
    }
}
