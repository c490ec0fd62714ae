import Herald
import Hummingbird
import SocketIO

extension SendReply {
    /// Seconds a backend is asked to wait before retrying when the store is down.
    static let retryAfterSeconds = 5
    static let storeUnavailable = "Message store unavailable; nothing was sent. Retry later."
    static let notSent = "Message store unavailable; this message was not sent. Retry later."

    /// The Node service's answer to one message: 200 `OK`, 401 "ApiKey invalid." when a reload removed the site
    /// while the request ran (as for a request arriving after it); Herald adds 503 when the store is down.
    static func single(_ outcome: SendOutcome) -> SendReply {
        switch outcome {
        case .sent: .text("OK", status: .ok)
        case .invalid(let error): .text(error.reason, status: .badRequest)
        case .storeUnavailable: .text(storeUnavailable, status: .serviceUnavailable, retryAfter: retryAfterSeconds)
        case .siteRemoved: .text(SendController.invalidKey, status: .unauthorized)
        }
    }

    /// The answer to an array body: 200 with a JSON array holding one entry per message, in order —
    /// `{"status":200,"message":"OK"}`, `{"status":400,"error":"…"}` or `{"status":503,"error":"…"}`. When some
    /// messages were not sent, `Retry-After` says when to send those again.
    static func batch(_ outcomes: [SendOutcome]) -> SendReply {
        var body = "["
        for (index, outcome) in outcomes.enumerated() {
            if index > 0 { body += "," }
            switch outcome {
            case .sent: body += entry(status: 200, "message", "OK")
            case .invalid(let error): body += entry(status: 400, "error", error.reason)
            case .storeUnavailable: body += entry(status: 503, "error", notSent)
            case .siteRemoved: body += entry(status: 401, "error", SendController.invalidKey)
            }
        }
        body += "]"
        let unsent = outcomes.contains(.storeUnavailable)
        return SendReply(status: .ok, contentType: json, body: body, retryAfter: unsent ? retryAfterSeconds : nil)
    }

    /// `{"status":…,"<field>":"<text>"}`, written by hand so the fields keep this order for people reading it.
    private static func entry(status: Int, _ field: String, _ text: String) -> String {
        #"{"status":\#(status),"\#(field)":\#(JSONValue.string(text).jsonString)}"#
    }
}
