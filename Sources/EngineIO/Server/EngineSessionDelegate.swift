/// Receives what happens on one Engine.IO session; every call arrives on the session's event loop.
public protocol EngineSessionDelegate: AnyObject {
    /// An application message arrived.
    func engineSession(_ session: EngineSession, didReceive message: EngineMessage)
    /// The session ended; no call follows.
    func engineSession(_ session: EngineSession, didCloseWith reason: EngineCloseReason)
}
