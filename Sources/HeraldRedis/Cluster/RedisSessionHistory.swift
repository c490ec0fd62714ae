import Herald
import Logging
import NIOConcurrencyHelpers
import SocketIO

/// Connection state recovery of one site in Redis: the site's event history (a stream per room) and the sessions of
/// its sockets, live ones included, so a client can take its session back on any instance, even after the instance
/// it was on died (the reaper marks that instance's sessions gone). See ``RedisRecoveryScripts`` for the keys.
final class RedisSessionHistory: Sendable {
    /// Sessions this instance kept lately, read before Redis: a client that reconnects here at once may ask before
    /// the update reached Redis.
    private static let recentLimit = 10_000

    private let client: RedisClient
    private let site: String
    private let keys: RedisSiteKeys
    private let instance: RedisInstanceSites
    private let writer: RedisSessionWriter
    private let logger: Logger
    private let recent = NIOLockedValueBox<[String: (session: RecoverableSession, expires: ContinuousClock.Instant)]>([:])

    init(client: RedisClient, site: String, keyPrefix: String, instance: RedisInstanceSites, writer: RedisSessionWriter, logger: Logger) {
        self.client = client
        self.site = site
        self.keys = RedisSiteKeys(keyPrefix: keyPrefix, site: site)
        self.instance = instance
        self.writer = writer
        self.logger = logger
    }

    private var prefix: String { keys.prefix }
    private var instanceID: String { instance.instanceID }

    /// Records an event and publishes `message` (a cluster message JSON object) with its offset, on `channel` with
    /// `publishCommand` (`PUBLISH`, or `SPUBLISH` on a cluster with a channel tagged `{site}`).
    func record(
        text: String,
        options: BroadcastOptions,
        settings: ConnectionStateRecovery,
        message: String,
        channel: String,
        publishCommand: String = "PUBLISH"
    ) async throws(RedisError) {
        let streams = Self.suffixes(options.rooms).flatMap { [prefix + "h" + $0, prefix + "hl" + $0] }
        _ = try await client.run(
            RedisRecoveryScripts.record,
            keys: [prefix + "hs"] + streams,
            arguments: [
                prefix, text, Self.json(options.rooms), Self.json(options.except), "\(settings.maxEventsPerRoom)",
                "\(settings.eventRetention.redisMilliseconds)", channel, message, publishCommand,
            ]
        )
    }

    /// Records the session of a connected socket.
    func track(_ session: RecoverableSession, settings: ConnectionStateRecovery) {
        let arguments = [prefix, session.pid, encoded(session, settings: settings, gone: false)]
        let keys = [self.keys.session(session.pid), self.keys.heldSessions(instanceID)]
        let client = self.client
        let instance = self.instance
        let site = self.site
        writer.enqueue {
            guard (try? await instance.enter(site)) != nil else { return }
            _ = try? await client.run(RedisRecoveryScripts.track, keys: keys, arguments: arguments)
        }
    }

    /// Keeps the session of a socket whose connection was lost for the window, or forgets it (`keep` false).
    func release(pid: String, session: RecoverableSession?, settings: ConnectionStateRecovery, keep: Bool) {
        if let session, keep {
            let expires = ContinuousClock.now + settings.maxDisconnection
            recent.withLockedValue { table in
                if table.count >= Self.recentLimit { table.removeAll() }
                table[pid] = (session, expires)
            }
        }
        let value = session.map { encoded($0, settings: settings, gone: true) } ?? ""
        let arguments = [prefix, pid, value, instanceID, "\(settings.maxDisconnection.redisMilliseconds)", keep ? "1" : "0"]
        let keys = [self.keys.session(pid), self.keys.heldSessions(instanceID)]
        let client = self.client
        writer.enqueue { _ = try? await client.run(RedisRecoveryScripts.release, keys: keys, arguments: arguments) }
    }

    /// The session kept for `pid`: one this instance just kept, or the one in Redis (live on an instance that died or
    /// whose connection is half-open, or gone within its window).
    func session(pid: String) async -> RecoverableSession? {
        let now = ContinuousClock.now
        if let local = recent.withLockedValue({ $0[pid] }), local.expires > now {
            return local.session
        }
        guard let reply = try? await client.send(["GET", keys.session(pid)]), let text = reply.string,
            let value = try? JSONValue(parsing: text), let sid = value["s"]?.stringValue, let rooms = value["r"]?.arrayValue
        else { return nil }
        return RecoverableSession(sid: sid, pid: pid, rooms: Set(rooms.compactMap(\.stringValue)))
    }

    /// Takes the session of `pid` away and returns the events after `offset` for a socket in `rooms`; nil when the
    /// session is gone, Redis does not answer, or an event may be missing.
    func take(pid: String, after offset: RecoveryOffset, rooms: Set<String>, settings: ConnectionStateRecovery) async -> MissedEvents? {
        recent.withLockedValue { _ = $0.removeValue(forKey: pid) }
        let limit = settings.maxEventsPerRoom * 2 + 100
        let reply: RedisValue
        do {
            let searched = [""] + rooms.sorted().map { ":" + RedisSiteKeys.escape($0) }
            let streams = searched.flatMap { [prefix + "hl" + $0, prefix + "h" + $0] }
            reply = try await client.run(
                RedisRecoveryScripts.take,
                keys: [keys.session(pid), prefix + "hs"] + streams,
                arguments: [prefix, pid, offset.description, Self.json(rooms), "\(limit)"]
            )
        } catch {
            logger.warning("recovering a session failed: \(error)", metadata: ["site": "\(site)"])
            return nil
        }
        guard let values = reply.array, values.count >= 3, values[0].int == 1, values[2].int == 1,
            let last = values[1].string.flatMap(RecoveryOffset.init)
        else { return nil }
        var events: [RecoveryOffset: RecordedEvent] = [:]
        var index = 3
        while index + 3 < values.count {
            Self.readEvent(values, at: index, rooms: rooms, into: &events)
            index += 4
        }
        return MissedEvents(events: events.values.sorted { $0.offset < $1.offset }, through: last)
    }

    /// The site's last offset (0 before the first event, or when Redis does not answer: the client then may be
    /// replayed events from before it connected, never miss one).
    func currentOffset() async -> RecoveryOffset {
        guard let reply = try? await client.send(["GET", prefix + "hs"]), let text = reply.string, let offset = RecoveryOffset(text)
        else { return RecoveryOffset(0) }
        return offset
    }

    /// Reads the entry at `index` (ID, text, rooms, exceptions) into `events` if it was for a socket in `rooms`; an
    /// event in several of the socket's rooms comes once per room and is kept once.
    private static func readEvent(
        _ values: [RedisValue],
        at index: Int,
        rooms: Set<String>,
        into events: inout [RecoveryOffset: RecordedEvent]
    ) {
        guard let id = values[index].string, let text = values[index + 1].string,
            let offset = id.split(separator: "-").first.flatMap({ RecoveryOffset(String($0)) })
        else { return }
        let options = BroadcastOptions(rooms: strings(values[index + 2].string), except: strings(values[index + 3].string))
        let event = RecordedEvent(offset: offset, text: text, options: options)
        if event.includes(socketIn: rooms) {
            events[offset] = event
        }
    }

    private func encoded(_ session: RecoverableSession, settings: ConnectionStateRecovery, gone: Bool) -> String {
        var value: [String: JSONValue] = [
            "s": .string(session.sid),
            "r": .array(session.rooms.sorted().map(JSONValue.string)),
            "i": .string(instanceID),
            "w": .int(Int64(settings.maxDisconnection.redisMilliseconds)),
        ]
        if gone { value["g"] = .bool(true) }
        return JSONValue.object(value).jsonString
    }

    private static func json(_ strings: Set<String>) -> String {
        JSONValue.array(strings.sorted().map(JSONValue.string)).jsonString
    }

    private static func strings(_ json: String?) -> Set<String> {
        guard let json, let value = try? JSONValue(parsing: json), let array = value.arrayValue else { return [] }
        return Set(array.compactMap(\.stringValue))
    }

    /// The stream suffixes of an event for `rooms`, as the record script builds them: `""` for everyone, else
    /// `:<room>` per room.
    private static func suffixes(_ rooms: Set<String>) -> [String] {
        rooms.isEmpty ? [""] : rooms.sorted().map { ":" + RedisSiteKeys.escape($0) }
    }
}
