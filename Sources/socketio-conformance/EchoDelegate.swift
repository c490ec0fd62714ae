import EngineIO

/// Engine-only mode: every message goes straight back on the session it came from.
final class EchoDelegate: EngineSessionDelegate {
    func engineSession(_ session: EngineSession, didReceive message: EngineMessage) {
        session.send(message)
    }

    func engineSession(_ session: EngineSession, didCloseWith reason: EngineCloseReason) {}
}
