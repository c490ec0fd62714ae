public import SocketIO

/// The send pipeline: a `POST /send` for a site becomes one broadcast to the expanded rooms.
public struct Delivery: Sendable {
    private let io: SocketIOServer
    private let directory: RoomDirectory

    /// Creates the pipeline.
    public init(io: SocketIOServer, directory: RoomDirectory) {
        self.io = io
        self.directory = directory
    }

    /// Emits `request` to the site's clients in its rooms; each client receives it once. Returns the rooms the
    /// broadcast went to.
    @discardableResult
    public func send(_ request: SendRequest, on site: Site) -> Set<String> {
        let directory = self.directory
        let siteName = site.name
        let expansion = RoomExpansion(naming: site.userRoomPrefix.map(UserRoomNaming.init(prefix:))) { room in
            directory.userRooms(site: siteName, sharedRoom: room)
        }
        let targets = expansion.targets(for: request.rooms)
        guard !targets.isEmpty else { return [] }
        io.of(site.namespace).to(targets).emit(request.event, request.arguments)
        return targets
    }
}
