import Logging
import SocketIO

/// Serves a socket's `_subscribe`, `_unsubscribe`, `_publish` and `_rpc` events (docs/interactive.md): each is read
/// into a ``ClientCommand``, checked against the socket's allowance and the site's limits, put to the site's hook,
/// and answered with the event's ack — `{"ok": true, …}`, the RPC hook's answer, or a ``CommandFailure``.
///
/// Event handlers run on the socket's event loop; hook calls run in tasks, and what they change on the socket
/// (joining a room) hops back to that loop.
struct ClientCommands: Sendable {
    let sites: SiteRegistry
    let hook: InteractionHook
    let sender: MessageSender
    /// Room presence, told of subscriptions made and dropped.
    let presence: SocketPresence
    /// The payload limit of sites without `maxPayloadBytes` (`send.maxBodyBytes`).
    let defaultMaxPayloadBytes: Int
    let now: MonotonicTime
    let logger: Logger
    /// Where each request's outcome is counted.
    let metrics: HeraldMetrics
    /// The site's share of the hook client.
    let siteSlots = SiteHookSlots()

    /// Serves the client events on `socket` when `site` has any of their hooks; the hooks are looked up again for
    /// each event, so a reload that changes a URL applies to the next event.
    func install(on socket: Socket, client: SiteClient, site: Site) {
        guard site.interaction.isEnabled else { return }
        let budget = ClientCommandBudget(
            maxCallsInFlight: SiteInteraction.maxHookCallsInFlightPerSocket,
            callsPerSecond: SiteInteraction.maxHookCallsPerSecondPerSocket,
            publishesPerSecond: site.interaction.publishesPerSecond,
            now: now
        )
        let commands = self
        for event in ClientCommand.Event.allCases {
            socket.on(event.rawValue) { socket, arguments, ack in
                let request = CommandRequest(
                    socket: socket,
                    client: client,
                    budget: budget,
                    ack: ack,
                    command: event,
                    metrics: commands.metrics.site(client.site)
                )
                commands.run(event, arguments: arguments, request)
            }
        }
    }

    private func run(_ event: ClientCommand.Event, arguments: [JSONValue], _ request: CommandRequest) {
        let command: ClientCommand
        switch ClientCommand.parse(event, arguments: arguments) {
        case .failure(let failure): return refuse(request, failure)
        case .success(let parsed): command = parsed
        }
        guard let site = sites.site(named: request.client.site) else { return }
        switch command {
        case .subscribe(let room): subscribe(to: room, on: site, request)
        case .unsubscribe(let room): unsubscribe(from: room, on: site, request)
        case .publish(let publication): publish(publication, on: site, request)
        case .rpc(let method, let params): callRPC(method, params: params, on: site, request)
        }
    }

    // MARK: Subscribe

    private func subscribe(to room: String, on site: Site, _ request: CommandRequest) {
        guard let url = site.interaction.subscribeURL else {
            return refuse(request, CommandFailure(.notEnabled, "This site does not let clients subscribe"))
        }
        if let failure = Self.reservation(of: room, on: site, socket: request.socket) {
            return refuse(request, failure)
        }
        let rooms = request.socket.rooms
        if rooms.contains(room) || rooms.contains(SubscriptionRoom.name(for: room)) {
            return request.reply(Self.done(room: room))
        }
        if let failure = Self.roomLimit(of: request.socket, on: site) {
            return refuse(request, failure)
        }
        let ticket = request.budget.wantSubscription(to: room)
        let body = request.hookBody(
            site: site,
            [
                "room": .string(room),
                "rooms": .array(SubscribedRooms.of(request.socket).sorted().map(JSONValue.string)),
            ]
        )
        callHook(url, body: body, on: site, request) { verdict in
            switch verdict {
            case .refused(let failure):
                _ = request.budget.settleSubscription(to: room, ticket: ticket)
                refuse(request, failure)
            case .allowed:
                request.socket.eventLoop.execute {
                    guard request.budget.settleSubscription(to: room, ticket: ticket) else {
                        return refuse(request, CommandFailure(.cancelled, "Unsubscribed before the subscription was allowed"))
                    }
                    if let failure = Self.roomLimit(of: request.socket, on: site) {
                        return refuse(request, failure)
                    }
                    request.socket.join(SubscriptionRoom.name(for: room))
                    presence.subscribed(request.socket, to: room, site: site)
                    request.reply(Self.done(room: room))
                }
            }
        }
    }

    private func unsubscribe(from room: String, on site: Site, _ request: CommandRequest) {
        if let failure = Self.reservation(of: room, on: site, socket: request.socket) {
            return refuse(request, failure)
        }
        request.budget.dropSubscription(to: room)
        guard !request.client.rooms.contains(room) else {
            return refuse(request, CommandFailure(.reservedRoom, "Room \"\(room)\" was granted at connection; it cannot be left"))
        }
        request.socket.leave(SubscriptionRoom.name(for: room))
        presence.unsubscribed(request.socket, from: room, site: site)
        request.reply(Self.done(room: room))
    }

    /// Why `room` is not a client's to subscribe to or leave: a user's private room, Herald's own, or a socket's.
    private static func reservation(of room: String, on site: Site, socket: Socket) -> CommandFailure? {
        let isUserRoom = site.userRoomPrefix.map { room.hasPrefix($0) } ?? false
        guard isUserRoom || room.hasPrefix(SubscriptionRoom.reservedPrefix) || room == socket.id else { return nil }
        return CommandFailure(.reservedRoom, "Room \"\(room)\" is reserved")
    }

    private static func roomLimit(of socket: Socket, on site: Site) -> CommandFailure? {
        guard let limit = site.limits.maxRoomsPerClient, SubscribedRooms.of(socket).count >= limit else { return nil }
        return CommandFailure(.roomLimit, "The socket is in \(limit) rooms already (maxRoomsPerClient)")
    }

    private static func done(room: String) -> JSONValue {
        ["ok": true, "room": .string(room)]
    }

    // MARK: Publish

    private func publish(_ publication: ClientPublication, on site: Site, _ request: CommandRequest) {
        guard let url = site.interaction.publishURL else {
            return refuse(request, CommandFailure(.notEnabled, "This site does not let clients publish"))
        }
        guard request.budget.takePublish() else {
            let limit = site.interaction.publishesPerSecond
            return refuse(request, CommandFailure(.rateLimited, "More than \(limit) publishes per second"))
        }
        let limit = site.limits.maxPayloadBytes ?? defaultMaxPayloadBytes
        let arguments = JSONValue.array(publication.arguments)
        guard arguments.jsonString.utf8.count <= limit else {
            return refuse(request, CommandFailure(.payloadTooLarge, "The arguments are larger than \(limit) bytes"))
        }
        let body = request.hookBody(
            site: site,
            [
                "room": .string(publication.room),
                "event": .string(publication.event),
                "args": arguments,
            ]
        )
        let (sender, logger) = (self.sender, self.logger)
        callHook(url, body: body, on: site, request) { verdict in
            let replacement: [JSONValue]?
            switch verdict {
            case .refused(let failure): return refuse(request, failure)
            case .allowed(nil): replacement = nil
            case .allowed(let answer?):
                guard case .object = answer, answer["args"].map({ $0.arrayValue != nil }) ?? true else {
                    return refuse(request, CommandFailure(.hookInvalidAnswer, "The site's hook answered 200 with an unreadable body"))
                }
                replacement = answer["args"]?.arrayValue
            }
            let message = SendRequest(
                rooms: [publication.room],
                event: publication.event,
                arguments: replacement ?? publication.arguments
            )
            Task {
                let metadata = request.metadata(site: site, ["publishedBy": "client"])
                switch await sender.send(message, on: site, metadata: metadata) {
                case .sent(let report):
                    var ack: [String: JSONValue] = ["ok": true]
                    ack["id"] = report.messageID.map { .string($0.description) }
                    request.reply(.object(ack))
                case .storeUnavailable:
                    refuse(request, CommandFailure(.storeUnavailable, "The message could not be stored; nothing was sent"))
                case .invalid, .siteRemoved:
                    logger.notice("client publish dropped: the site changed", metadata: metadata)
                }
            }
        }
    }

    // MARK: RPC

    private func callRPC(_ method: String, params: JSONValue, on site: Site, _ request: CommandRequest) {
        guard let url = site.interaction.rpcURL else {
            return refuse(request, CommandFailure(.notEnabled, "This site has no RPC hook"))
        }
        let body = request.hookBody(site: site, ["method": .string(method), "params": params])
        callHook(url, body: body, on: site, request) { verdict in
            switch verdict {
            case .refused(let failure): refuse(request, failure)
            case .allowed(let answer): request.reply(answer ?? .null)
            }
        }
    }

    // MARK: Hook calls and answers

    /// Calls the hook in a task holding one of the socket's slots; `then` gets what the hook decided, a failure goes
    /// straight to the client.
    private func callHook(
        _ url: String,
        body: JSONValue,
        on site: Site,
        _ request: CommandRequest,
        then: @escaping @Sendable (InteractionHook.Verdict) -> Void
    ) {
        guard request.budget.startCall() else {
            return refuse(request, CommandFailure(.rateLimited, "Too many requests to the site's hook from this client"))
        }
        guard siteSlots.take(site: site.name) else {
            request.budget.finishCall()
            return refuse(request, CommandFailure(.rateLimited, "Too many requests waiting for the site's hook"))
        }
        let commands = self
        Task {
            let result = await commands.hook.call(url, body: body, token: request.client.credentials.token, site: site)
            commands.siteSlots.release(site: site.name)
            request.budget.finishCall()
            switch result {
            case .failure(let failure): commands.refuse(request, failure)
            case .success(let verdict): then(verdict)
            }
        }
    }

    private func refuse(_ request: CommandRequest, _ failure: CommandFailure) {
        logger.info(
            "client command refused: \(failure.message)",
            metadata: ["site": "\(request.client.site)", "socketId": "\(request.socket.id)", "code": "\(failure.code.rawValue)"]
        )
        request.reply(failure)
    }
}

/// One client event being served: its socket, what the gateway knows of the client, the socket's allowance, and
/// the ack to answer (nil when the client asked for none).
struct CommandRequest: Sendable {
    let socket: Socket
    let client: SiteClient
    let budget: ClientCommandBudget
    let ack: AckResponder?
    let command: ClientCommand.Event
    let metrics: SiteMetrics

    /// Answers a request that was carried out.
    func reply(_ answer: JSONValue) {
        metrics.clientCommand(command.metricName, outcome: "ok")
        ack?.send([answer])
    }

    /// Answers a request that was refused.
    func reply(_ failure: CommandFailure) {
        metrics.clientCommand(command.metricName, outcome: failure.code.rawValue)
        ack?.send([failure.ack])
    }

    /// A hook's JSON body: `fields` and who asks.
    func hookBody(site: Site, _ fields: [String: JSONValue]) -> JSONValue {
        InteractionHook.body(fields, site: site, socketID: socket.id, credentials: client.credentials)
    }

    func metadata(site: Site, _ extra: Logger.Metadata) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["site": "\(site.name)", "socketId": "\(socket.id)"]
        metadata["deviceId"] = client.credentials.deviceID.map { "\($0)" }
        return metadata.merging(extra) { $1 }
    }
}

/// The rooms of a socket as its client sees them: without its own ID room and Herald's reliable room, and its
/// subscriptions by the names it subscribed to.
enum SubscribedRooms {
    /// Read on the socket's event loop.
    static func of(_ socket: Socket) -> Set<String> {
        Set(socket.rooms.subtracting([socket.id, ReliableRoom.name]).map { SubscriptionRoom.room(of: $0) ?? $0 })
    }
}
