/// Settles the presence of an instance found dead: the instance registry calls it before it forgets the instance, so
/// the members that instance held leave (and are announced) even though its grace timers died with it.
public protocol PresenceReaping: Sendable {
    /// Removes what `instance` held from every room and announces the members gone; throws when the store could not
    /// be reached, so the reaper tries again on its next round.
    func reapPresence(of instance: String) async throws(StoreError)
}
