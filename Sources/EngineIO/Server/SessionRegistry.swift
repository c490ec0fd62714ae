import NIOConcurrencyHelpers

/// Sessions by ID, shared by every event loop: polling requests for a session may arrive on any connection.
final class SessionRegistry: Sendable {
    private let sessions = NIOLockedValueBox<[String: EngineSession]>([:])
    /// Told when a session is forgotten, so its owner record goes too.
    let forwarding = NIOLockedValueBox<(any SessionForwarding)?>(nil)

    func add(_ session: EngineSession) {
        sessions.withLockedValue { $0[session.id] = session }
    }

    func lookup(_ id: String) -> EngineSession? {
        sessions.withLockedValue { $0[id] }
    }

    /// Drops a session for good (a closing polling session stays until its close packet is fetched).
    func forget(_ session: EngineSession) {
        let removed = sessions.withLockedValue { table in
            guard table[session.id] === session else { return false }
            table[session.id] = nil
            return true
        }
        if removed {
            forwarding.withLockedValue { $0 }?.sessionClosed(id: session.id)
        }
    }

    var count: Int {
        sessions.withLockedValue { $0.count }
    }

    var all: [EngineSession] {
        sessions.withLockedValue { Array($0.values) }
    }
}
