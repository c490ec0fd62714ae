import Foundation
import Herald
import Logging

/// Reads the event server's tokens file (`eventServer.tokensFile`) at start and again on each SIGHUP.
struct EventTokensFile: Sendable {
    let path: String

    /// The file's tokens; throws when it cannot be read.
    func load() throws -> EventTokens {
        EventTokens(fileContents: try String(contentsOfFile: path, encoding: .utf8))
    }

    /// Reads the file again into `server`; an unreadable file is logged and the running tokens kept. The log line
    /// gives the count, never a token.
    func reload(into server: EventServer, logger: Logger) {
        do {
            let tokens = try load()
            server.replaceTokens(tokens)
            logger.info("event-server tokens reloaded", metadata: ["tokens": "\(tokens.count)"])
        } catch {
            logger.error("event-server tokens reload refused, the running tokens are kept: \(error)")
        }
    }
}
