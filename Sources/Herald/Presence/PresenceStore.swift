/// Where room presence is kept: for each (site, room), the devices in it and how many sockets each has there, counted
/// per Herald instance so a dead instance's share can be taken away. Each method is atomic, so several instances may
/// share one store.
///
/// A device's last socket leaving does not remove it: it becomes a *pending leave* named by a token the caller chose,
/// and stays listed. A socket of the device coming back before ``expire(_:site:rooms:leave:)`` cancels the leave (it
/// is no arrival either); otherwise `expire` with the same token removes it. A pending leave is held by the instance
/// that recorded it: if that instance dies, ``reap(instance:)`` settles it.
public protocol PresenceStore: Sendable {
    /// The instance this store records sockets for.
    var instanceID: String { get }

    /// A socket of `member` is in `rooms` now. Returns the rooms the member was not in before: no socket and no pending
    /// leave (a reconnect within the grace is not an arrival). Room lists the store returns are sorted.
    func arrive(_ member: PresenceMember, site: String, rooms: [String]) async throws(StoreError) -> [String]

    /// A socket of `member` left `rooms`. Returns the rooms where it was the device's last socket: their leave is
    /// pending under `leave` until ``expire(_:site:rooms:leave:)``.
    func depart(_ member: PresenceMember, site: String, rooms: [String], leave: String) async throws(StoreError) -> [String]

    /// Settles the leave `leave` of `member` in `rooms`: where no socket came back since, the member is removed.
    /// Returns the rooms it was removed from.
    func expire(_ member: PresenceMember, site: String, rooms: [String], leave: String) async throws(StoreError) -> [String]

    /// The members of `room` on `site` (pending leaves included), in no particular order.
    func members(site: String, room: String) async throws(StoreError) -> [PresenceMember]

    /// Takes away everything `instance` held: its sockets stop counting, and its pending leaves are settled. Returns
    /// the members that are gone as a result.
    func reap(instance: String) async throws(StoreError) -> [PresenceDeparture]
}
