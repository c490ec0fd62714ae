/// One device of one user of one site: the unit messages are queued for.
public struct DeviceKey: Sendable, Hashable, CustomStringConvertible {
    /// The site's name.
    public var site: String
    /// The user's room (`user_42`), which names the user.
    public var userRoom: String
    /// The client's `deviceId`.
    public var deviceID: String

    /// Creates a key.
    public init(site: String, userRoom: String, deviceID: String) {
        self.site = site
        self.userRoom = userRoom
        self.deviceID = deviceID
    }

    public var description: String { "\(site)/\(userRoom)/\(deviceID)" }
}
