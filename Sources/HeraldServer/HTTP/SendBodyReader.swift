import Herald
import Hummingbird
import NIOCore

/// Reads a `POST /send` body up to its byte limit and parses it into the messages it holds.
struct SendBodyReader: Sendable {
    /// Most messages in an array body.
    let maxBatchSize: Int

    /// The body's messages, or the answer refusing the whole body: 413 over `maxBodyBytes` or the message limit,
    /// 400 when it cannot be read.
    func read(_ request: Request, maxBodyBytes: Int, resyncQuery: String?) async -> Result<SendBody, SendRefusal> {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxBodyBytes {
            return .failure(Self.tooLarge(limit: maxBodyBytes))
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            return .failure(Self.tooLarge(limit: maxBodyBytes))
        } catch {
            return .failure(SendRefusal(reply: .text("Could not read the body: \(error)", status: .badRequest)))
        }
        let format = SendRequestParser.format(contentType: request.headers[.contentType], body: body)
        do {
            return .success(
                try SendRequestParser.parseBody(body, format: format, resyncQuery: resyncQuery, maxBatchSize: maxBatchSize)
            )
        } catch {
            let status: HTTPResponse.Status = if case .tooManyMessages = error { .contentTooLarge } else { .badRequest }
            return .failure(SendRefusal(reply: .text(error.reason, status: status), reason: error.reason))
        }
    }

    private static func tooLarge(limit: Int) -> SendRefusal {
        SendRefusal(reply: .text("Payload too large: the body limit is \(limit) bytes.", status: .contentTooLarge))
    }
}

/// A body refused as a whole: nothing was sent.
struct SendRefusal: Error, Sendable {
    /// The answer to give.
    var reply: SendReply
    /// What to log, when the refusal is worth a log line.
    var reason: String?
}
