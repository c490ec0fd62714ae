/// Limits every ``MessageStore`` applies.
public struct MessageStoreSettings: Sendable, Hashable {
    /// Seconds a disconnected device's queue is kept; 0 keeps devices forever.
    public var deviceTTL: Int
    /// Most messages one device queue holds; on overflow the oldest go and the device must resync.
    public var maxQueueLength: Int

    /// Creates the settings.
    public init(deviceTTL: Int, maxQueueLength: Int = 1_000) {
        self.deviceTTL = deviceTTL
        self.maxQueueLength = maxQueueLength
    }
}
