/// The names of Herald's own pub/sub channels and the command publishing on them.
///
/// On one Redis: plain channels (`herald:bc:<site>`, `herald:dv:<site>`, `herald:ev`, `herald:ctl`,
/// `herald:ctl:<instance>`) with `PUBLISH`, unchanged so instances of different versions can run side by side during a
/// rolling upgrade. On a Redis Cluster: sharded channels with `SPUBLISH`, each named with a hash tag so the sites
/// spread over the shards and a site's channels live in the site's slot (`herald:{<site>}:bc`, `herald:{<site>}:dv`),
/// where scripts working on the site's keys may publish on them; the channels every instance hears share one shard
/// (`herald:{ev}`, `herald:{ctl}`), each instance's reply channel lives on a shard of its own
/// (`herald:{ctl:<instance>}`).
struct RedisChannelNames: Sendable, Hashable {
    /// Whether the channels are sharded (Redis Cluster).
    let isSharded: Bool

    /// `SPUBLISH` for sharded channels, else `PUBLISH`.
    var publishCommand: String {
        isSharded ? "SPUBLISH" : "PUBLISH"
    }

    /// The channel of namespace broadcasts of `site`.
    func broadcast(site: String) -> String {
        isSharded ? "herald:{\(site)}:bc" : "herald:bc:" + site
    }

    /// The channel of reliable messages of `site`.
    func delivery(site: String) -> String {
        isSharded ? "herald:{\(site)}:dv" : "herald:dv:" + site
    }

    /// The channel of event-server events (every instance with the event server hears it).
    var event: String {
        isSharded ? "herald:{ev}" : "herald:ev"
    }

    /// The channel every instance hears control requests on.
    var controlRequest: String {
        isSharded ? "herald:{ctl}" : "herald:ctl"
    }

    /// The channel `instanceID` hears replies to its control requests on.
    func controlReply(instanceID: String) -> String {
        isSharded ? "herald:{ctl:\(instanceID)}" : "herald:ctl:" + instanceID
    }
}
