import Foundation
import HTTPTypes
import Herald
import HeraldServer
import Hummingbird
import HummingbirdTesting
import Logging
import NIOPosix
import Testing

/// A `POST /send` that passed the site check while a reload of `sites.yml` removed its site: it must not bring the
/// site's namespace back (a namespace made by a send has no admission middleware, so any client could join it).
@Suite struct SendDuringReloadTests {
    private static let site = Site(
        name: "shop",
        authentication: .tokens(["token-of-user-one-0001": ["user_1", "news"]]),
        apiKey: "shop-key-0123456789"
    )

    /// An idempotency store that holds each claim until the test lets it go: the request has passed the site and
    /// key check and has not reached delivery yet.
    private final class HeldIdempotencyStore: IdempotencyStore {
        private let inner = InMemoryIdempotencyStore()
        let entered: AsyncStream<Void>
        private let enteredContinuation: AsyncStream<Void>.Continuation
        private let released: AsyncStream<Void>
        private let releasedContinuation: AsyncStream<Void>.Continuation

        init() {
            (entered, enteredContinuation) = AsyncStream.makeStream()
            (released, releasedContinuation) = AsyncStream.makeStream()
        }

        var retention: Duration {
            inner.retention
        }

        func release() {
            releasedContinuation.yield()
        }

        func begin(_ key: IdempotencyKey) async throws(StoreError) -> IdempotencyClaim {
            enteredContinuation.yield()
            for await _ in released { break }
            return try await inner.begin(key)
        }

        func complete(_ ticket: IdempotencyTicket, with response: IdempotentResponse) async {
            await inner.complete(ticket, with: response)
        }

        func release(_ ticket: IdempotencyTicket) async {
            await inner.release(ticket)
        }
    }

    private static func makeService(idempotency: any IdempotencyStore = InMemoryIdempotencyStore()) -> HeraldService {
        HeraldService(
            configuration: HeraldConfiguration(settings: HeraldSettings(port: 0), sites: [site.name: site]),
            hooks: UnusedHooks(),
            store: InMemoryMessageStore(settings: MessageStoreSettings(deviceTTL: 60)),
            idempotency: idempotency,
            logger: Logger(label: "test"),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton
        )
    }

    @Test func aSendWhoseSiteWasRemovedAfterItsKeyCheckIsRefusedLikeAnUnknownSite() async throws {
        let held = HeldIdempotencyStore()
        let service = Self.makeService(idempotency: held)
        let app = HeraldApplication.make(
            service: service,
            assets: StaticAssets(directory: URL(fileURLWithPath: "/nonexistent")),
            logger: Logger(label: "test")
        )
        try await app.test(.router) { client in
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[HTTPField.Name("Idempotency-Key")!] = "reload-race-1"
            async let response = client.execute(
                uri: "/send?site=shop&apiKey=shop-key-0123456789",
                method: .post,
                headers: headers,
                body: ByteBuffer(string: #"{"rooms":["news"],"event":"message","args":["hi"]}"#)
            )
            var entered = held.entered.makeAsyncIterator()
            _ = await entered.next()
            service.reload(sites: [:])
            held.release()
            let answer = try await response
            #expect(answer.status == .unauthorized)
            #expect(String(buffer: answer.body) == "ApiKey invalid.")
        }
        #expect(service.io.namespace(named: "/shop") == nil, "the send recreated the removed site's namespace")
    }

    @Test func aBatchWhoseSiteWasRemovedSendsNoneOfItsMessages() async throws {
        let service = Self.makeService()
        let site = try #require(service.sites.site(named: "shop"))
        service.reload(sites: [:])
        let request = SendRequest(rooms: ["news"], event: "message", arguments: ["hi"])
        let outcomes = await service.sender.send(batch: [.success(request), .success(request)], on: site, metadata: [:])
        #expect(outcomes == [.siteRemoved, .siteRemoved])
        #expect(await service.sender.send(request, on: site, metadata: [:]) == .siteRemoved)
        #expect(service.io.namespace(named: "/shop") == nil, "the send recreated the removed site's namespace")
    }
}
