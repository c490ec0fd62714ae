import NIOCore

/// Reliable delivery for one device on one connected socket, as ``SiteGateway`` opens it and ``DeviceSessions`` lists
/// it: a ``DeviceSession`` for clients that acknowledge each message (Socket.IO, plain WebSocket), a
/// ``DeviceQueueFollower`` for clients that acknowledge by position (Server-Sent Events' `Last-Event-ID`).
protocol ReliableSession: AnyObject, Sendable {
    /// The device this session delivers to.
    var device: DeviceKey { get }
    /// Registers the device with the store while the socket is being admitted (so a refusal can answer the
    /// client); `sharedRooms` are its user's shared rooms.
    func register(sharedRooms: [String], maxDevices: Int) async -> DeviceSession.Registration
    /// Starts sending what the device is owed once its socket is connected. Called on the socket's event loop.
    func activate()
    /// The event loop of the device's socket, where the session's state lives.
    var eventLoop: any EventLoop { get }
    /// A message for the device's user was sent; `stored` when the device's queue holds it. Called on ``eventLoop``:
    /// a message for many devices reaches each loop in one task (``Delivery/deliverLocally(_:)``).
    func deliverOnLoop(_ message: StoredMessage, stored: Bool, resync: Bool)
    /// Live deliveries may have been lost (the cluster bus was cut off): asks the store again what the device is
    /// owed.
    func catchUp()
    /// The socket left: tells the store once every earlier update of the session is done. Called on the socket's
    /// event loop.
    @discardableResult
    func stop() -> Task<Void, Never>
}

extension DeviceSession: ReliableSession {}
