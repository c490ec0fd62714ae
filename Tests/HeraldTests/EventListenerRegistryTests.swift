import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@testable import Herald

@Suite struct EventListenerRegistryTests {
    /// A listener recording what it receives, on one of the shared event loops.
    final class RecordingListener: EventListener {
        let loop: any EventLoop
        let received = NIOLockedValueBox<[String]>([])
        let closed = NIOLockedValueBox<[Bool]>([])

        init(loop: any EventLoop) {
            self.loop = loop
        }

        var eventLoop: any EventLoop { loop }

        func receive(_ message: ByteBuffer) {
            received.withLockedValue { $0.append(String(buffer: message)) }
        }

        func close(goingAway: Bool) {
            closed.withLockedValue { $0.append(goingAway) }
        }

        /// What arrived, once the loop ran every task handed to it so far (its tasks run in order).
        var messages: [String] {
            settle()
            return received.withLockedValue { $0 }
        }

        func settle() {
            try? loop.submit {}.wait()
        }
    }

    @Test func eventsReachOnlyTheListenersOfTheirType() {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let registry = EventListenerRegistry(maxListeners: 10)
        let orders = RecordingListener(loop: loop)
        let both = RecordingListener(loop: loop)
        let idle = RecordingListener(loop: loop)
        for listener in [orders, both, idle] {
            #expect(registry.connect(listener))
        }
        registry.subscribe(orders, to: ["order"])
        registry.subscribe(both, to: ["order", "refund"])
        #expect(registry.send(ByteBuffer(string: "o1"), toListenersOf: "order") == 2)
        #expect(registry.send(ByteBuffer(string: "r1"), toListenersOf: "refund") == 1)
        #expect(registry.send(ByteBuffer(string: "x"), toListenersOf: "other") == 0)
        #expect(orders.messages == ["o1"])
        #expect(both.messages.sorted() == ["o1", "r1"])
        #expect(idle.messages == [])
    }

    @Test func aNewSubscriptionReplacesTheOldAndDisconnectForgets() {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let registry = EventListenerRegistry(maxListeners: 10)
        let listener = RecordingListener(loop: loop)
        #expect(registry.connect(listener))
        registry.subscribe(listener, to: ["a"])
        registry.subscribe(listener, to: ["b"])
        #expect(registry.listeners(for: "a").isEmpty)
        #expect(registry.listeners(for: "b").count == 1)
        registry.disconnect(listener)
        #expect(registry.listeners(for: "b").isEmpty)
        #expect(registry.count == 0)
    }

    @Test func aListenerNotConnectedCannotSubscribe() {
        let registry = EventListenerRegistry(maxListeners: 10)
        let listener = RecordingListener(loop: MultiThreadedEventLoopGroup.singleton.next())
        registry.subscribe(listener, to: ["a"])
        #expect(registry.listeners(for: "a").isEmpty)
    }

    @Test func connectionsAreBoundedByMaxListeners() {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let registry = EventListenerRegistry(maxListeners: 2)
        let first = RecordingListener(loop: loop)
        let second = RecordingListener(loop: loop)
        let third = RecordingListener(loop: loop)
        #expect(registry.connect(first))
        #expect(registry.connect(second))
        #expect(!registry.hasRoom)
        #expect(!registry.connect(third))
        registry.disconnect(first)
        #expect(registry.connect(third))
    }

    @Test func closeAllClosesEveryListenerAsGoingAway() {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let registry = EventListenerRegistry(maxListeners: 10)
        let subscribed = RecordingListener(loop: loop)
        let unsubscribed = RecordingListener(loop: loop)
        #expect(registry.connect(subscribed))
        #expect(registry.connect(unsubscribed))
        registry.subscribe(subscribed, to: ["a"])
        registry.closeAll()
        subscribed.settle()
        #expect(subscribed.closed.withLockedValue { $0 } == [true])
        #expect(unsubscribed.closed.withLockedValue { $0 } == [true])
    }

    @Test func theServerAnswersInitMessagesAndSubscribesOnlyOnOK() {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let token = "0123456789abcdef"
        let server = EventServer(settings: EventServerSettings(tokensFile: "unused"), tokens: EventTokens(fileContents: token))
        let listener = RecordingListener(loop: loop)
        #expect(server.connect(listener))
        #expect(server.initialize(listener, message: #"{"events":["a"]}"#) == .success(.unauthenticated))
        #expect(server.initialize(listener, message: #"{"authentication":"Token x","events":["a"]}"#) == .success(.unrecognizedScheme))
        #expect(server.listeners.listeners(for: "a").isEmpty)
        #expect(server.initialize(listener, message: #"{"authentication":"Basic \#(token)","events":["a"]}"#) == .success(.ok))
        #expect(server.listeners.listeners(for: "a").count == 1)
        server.replaceTokens(EventTokens(fileContents: ""))
        #expect(server.authenticate("Basic \(token)") == .unauthenticated)
    }
}
