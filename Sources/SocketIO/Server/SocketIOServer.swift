public import EngineIO
import NIOConcurrencyHelpers

/// A Socket.IO server (protocol v5 for Socket.IO 3.x/4.x clients, v4 for 1.x/2.x) on top of an ``EngineServer``.
public final class SocketIOServer: Sendable {
    /// The Engine.IO server carrying the connections.
    public let engine: EngineServer
    /// The server's settings.
    public let configuration: SocketIOConfiguration
    private let namespaces = NIOLockedValueBox<[String: Namespace]>([:])

    /// Creates a server on `engine`, with the namespace `/` ready.
    public init(engine: EngineServer, configuration: SocketIOConfiguration = SocketIOConfiguration()) {
        self.engine = engine
        self.configuration = configuration
        _ = of("/")
        engine.onOpen { [weak self] session in
            guard let self else {
                session.close()
                return
            }
            let client = Client(server: self, session: session)
            session.delegate = client
            client.start()
        }
    }

    /// The namespace called `name`, created on first use.
    public func of(_ name: String) -> Namespace {
        namespaces.withLockedValue { table in
            if let namespace = table[name] { return namespace }
            let namespace = Namespace(name: name, adapter: configuration.makeAdapter(name))
            table[name] = namespace
            return namespace
        }
    }

    /// Removes a namespace: its sockets are disconnected and new clients are refused with "Invalid namespace".
    public func removeNamespace(_ name: String) {
        let namespace = namespaces.withLockedValue { $0.removeValue(forKey: name) }
        namespace?.disconnectAll(reason: .namespaceRemoved)
    }

    /// The namespace called `name`, if it exists.
    public func namespace(named name: String) -> Namespace? {
        namespaces.withLockedValue { $0[name] }
    }

    /// Names of all namespaces.
    public var namespaceNames: [String] {
        namespaces.withLockedValue { Array($0.keys) }
    }
}
