import ArgumentParser
import Foundation
import HookClient
import SocketIO

/// `herald send`: pushes one event through a running Herald's `POST /send`, for ops and scripts.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send an event to rooms of a site through POST /send."
    )

    @Option(help: "Base URL of a running Herald.")
    var url = "http://127.0.0.1:1337"

    @Option(help: "Site name.")
    var site: String

    @Option(help: "The site's apiKey (default: $HERALD_API_KEY); sent as a Bearer header, never in the URL.")
    var apiKey: String?

    @Option(name: .customLong("room"), help: "Target room; repeat for several.")
    var rooms: [String]

    @Option(help: "Event name.")
    var event: String

    @Flag(help: "Ask for resync semantics on out-of-order acks.")
    var resync = false

    @Argument(help: "Event arguments as a JSON array, e.g. '[{\"text\":\"hi\"}]'.")
    var argumentsJSON = "[]"

    func validate() throws {
        guard !rooms.isEmpty else { throw ValidationError("Give at least one --room.") }
        guard (try? JSONValue(parsing: argumentsJSON))?.arrayValue != nil else {
            throw ValidationError("ARGS_JSON must be a JSON array.")
        }
    }

    func run() async throws {
        guard let key = apiKey ?? ProcessInfo.processInfo.environment["HERALD_API_KEY"], !key.isEmpty else {
            throw ValidationError("Give --api-key or set HERALD_API_KEY.")
        }
        let arguments = try JSONValue(parsing: argumentsJSON)
        let body: JSONValue = ["rooms": .array(rooms.map(JSONValue.string)), "event": .string(event), "args": arguments]
        var query = "site=\(percentEncoded(site))"
        if resync { query += "&resync=true" }
        let endpoint = url.hasSuffix("/") ? String(url.dropLast()) : url
        let client = HookClient()
        let request = HookRequest(
            method: .post,
            url: "\(endpoint)/send?\(query)",
            headers: [(name: "Authorization", value: "Bearer \(key)"), (name: "Content-Type", value: "application/json")],
            body: Array(body.jsonString.utf8)
        )
        let response: HookResponse
        do {
            response = try await client.perform(request)
        } catch {
            await client.shutdown()
            printToStandardError("herald send: \(error)")
            throw ExitCode(69)
        }
        await client.shutdown()
        print("\(response.status) \(response.text)")
        if response.status != 200 { throw ExitCode(1) }
    }

    private func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))) ?? text
    }
}
