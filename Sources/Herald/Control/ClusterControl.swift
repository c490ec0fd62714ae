/// How a backend's command reaches the sockets on every instance: the instance that got the request runs it on its
/// own sockets and hands it to the others through this, collecting their replies.
///
/// A single instance uses ``LocalClusterBus`` (nobody else to ask); several use the Redis bus from `HeraldRedis`.
public protocol ClusterControl: Sendable {
    /// Starts hearing commands from other instances (at start-up, before clients connect).
    func attachControl() async
    /// Hands `command` to every other instance and returns their replies: once each has answered, or at `timeout`
    /// with those that had.
    func runElsewhere(_ command: ControlCommand, timeout: Duration) async -> [ControlReply]
    /// Sets what runs a command another instance handed over; its reply goes back to that instance.
    func onControl(_ handler: @escaping @Sendable (ControlCommand) async -> ControlReply)
    /// The instances the cluster counts as alive now (this one included), so an answer can name those that did not
    /// reply; nil when the cluster keeps no such list (a single instance).
    func liveInstances() async -> [String]?
}

extension ClusterControl {
    public func liveInstances() async -> [String]? { nil }
}
