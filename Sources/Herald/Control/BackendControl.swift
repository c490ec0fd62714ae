import SocketIO

/// What `POST /rpc` and `POST /disconnect` do: run the backend's command on this instance's sockets and on every
/// other instance's (through the cluster's control channel), and put the replies together.
public struct BackendControl: Sendable {
    /// How long `POST /disconnect` waits for the other instances' counts.
    public static let disconnectTimeout: Duration = .seconds(2)
    /// How long after an RPC's own timeout its answers from other instances are still waited for (their replies
    /// travel through Redis after each instance's sockets answered or timed out).
    public static let replyGrace: Duration = .milliseconds(500)

    let local: LocalSocketControl
    let cluster: any ClusterControl

    /// Emits the RPC's event with an ack to its sockets on every instance; returns the sockets it went to and the
    /// answers that came within its timeout.
    public func call(_ rpc: BackendRPC) async -> RPCCollection {
        async let here = local.call(rpc)
        let elsewhere = await cluster.runElsewhere(.rpc(rpc), timeout: rpc.timeout + Self.replyGrace)
        var collection = await here
        for case .rpc(let remote) in elsewhere {
            collection = collection.merging(remote)
        }
        return collection
    }

    /// Disconnects the target's sockets on every instance; returns how many were disconnected (those of instances
    /// that answered within ``disconnectTimeout``).
    public func disconnect(site: String, target: SocketTarget) async -> Int {
        async let here = local.disconnect(site: site, target: target)
        let elsewhere = await cluster.runElsewhere(.disconnect(site: site, target: target), timeout: Self.disconnectTimeout)
        var count = await here
        for case .disconnected(let remote) in elsewhere {
            count += remote
        }
        return count
    }
}
