import NIOConcurrencyHelpers

/// Sessions by ID, shared by every event loop: polling requests for a session may arrive on any connection.
final class SessionRegistry: Sendable {
    private let sessions = NIOLockedValueBox<[String: EngineSession]>([:])

    func add(_ session: EngineSession) {
        sessions.withLockedValue { $0[session.id] = session }
    }

    func lookup(_ id: String) -> EngineSession? {
        sessions.withLockedValue { $0[id] }
    }

    /// Drops a session for good (a closing polling session stays until its close packet is fetched).
    func forget(_ session: EngineSession) {
        sessions.withLockedValue { table in
            if table[session.id] === session { table[session.id] = nil }
        }
    }

    var count: Int {
        sessions.withLockedValue { $0.count }
    }

    var all: [EngineSession] {
        sessions.withLockedValue { Array($0.values) }
    }
}
