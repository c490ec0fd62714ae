/// The ports this process listens on, reported once every server is bound (so a port file written from it never
/// lists a port that does not accept connections yet).
public struct ListeningPorts: Sendable, Hashable {
    /// Herald's port.
    public var main: Int
    /// The event server's listen port (`eventServer.listenPort`), when set.
    public var eventListen: Int?
    /// The event server's broadcast port (`eventServer.broadcastPort`), when set.
    public var eventBroadcast: Int?

    /// The port file's text: Herald's port on the first line (what every reader of the file takes), then one
    /// `name port` line per extra port (`eventServer.listenPort 40123`).
    public var portFileText: String {
        var text = "\(main)\n"
        if let eventListen { text += "eventServer.listenPort \(eventListen)\n" }
        if let eventBroadcast { text += "eventServer.broadcastPort \(eventBroadcast)\n" }
        return text
    }
}

/// Collects the bound ports as the servers come up and reports them once all expected ones are known.
actor ListeningPortsCollector {
    private var ports: ListeningPorts
    private var missing: Int
    private let report: @Sendable (ListeningPorts) async -> Void

    /// Expects Herald's port plus the event-server ports that are configured.
    init(expectsListen: Bool, expectsBroadcast: Bool, report: @escaping @Sendable (ListeningPorts) async -> Void) {
        ports = ListeningPorts(main: 0)
        missing = 1 + (expectsListen ? 1 : 0) + (expectsBroadcast ? 1 : 0)
        self.report = report
    }

    func main(_ port: Int) async {
        ports.main = port
        await arrived()
    }

    func eventListen(_ port: Int) async {
        ports.eventListen = port
        await arrived()
    }

    func eventBroadcast(_ port: Int) async {
        ports.eventBroadcast = port
        await arrived()
    }

    private func arrived() async {
        missing -= 1
        if missing == 0 {
            await report(ports)
        }
    }
}
