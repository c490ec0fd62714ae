import Foundation
import Herald
import Logging
import NIOConcurrencyHelpers

/// The Redis side of ``ClusterControl``: requests go to every instance on `herald:ctl`, each instance runs them on
/// its sockets and publishes its reply on the asker's `herald:ctl:<instance>` (on a cluster the sharded
/// `herald:{ctl}` and `herald:{ctl:<instance>}`, see ``RedisChannelNames``).
///
/// How many replies to wait for is what Redis says: `PUBLISH` (or `SPUBLISH`) answers how many subscribers got the request, every
/// instance (this one too) being one; so the asker waits for that many less one, or until the timeout. An
/// instance that dies meanwhile only costs the wait.
final class RedisControlExchange: Sendable {
    private struct Pending {
        var replies: [ControlReply] = []
        var expected: Int?
        var isTimedOut = false
        var continuation: CheckedContinuation<[ControlReply], Never>?
    }

    private let instanceID: String
    private let names: RedisChannelNames
    private let client: RedisClient
    private let logger: Logger
    private let pending = NIOLockedValueBox<[String: Pending]>([:])
    private let handler = NIOLockedValueBox<ControlHandler?>(nil)

    init(instanceID: String, client: RedisClient, logger: Logger, names: RedisChannelNames = RedisChannelNames(isSharded: false)) {
        self.instanceID = instanceID
        self.names = names
        self.client = client
        self.logger = logger
    }

    /// The channel every instance hears requests on.
    var requestChannel: String { names.controlRequest }

    /// This instance's reply channel.
    var replyChannel: String { names.controlReply(instanceID: instanceID) }

    /// Whether messages on `channel` are this exchange's.
    func handles(channel: String) -> Bool {
        channel == requestChannel || channel == replyChannel
    }

    func onControl(_ run: @escaping @Sendable (ControlCommand) async -> ControlReply) {
        handler.withLockedValue { $0 = ControlHandler(run: run) }
    }

    func runElsewhere(_ command: ControlCommand, timeout: Duration) async -> [ControlReply] {
        let id = UUID().uuidString
        pending.withLockedValue { $0[id] = Pending() }
        let request = ControlMessage.request(origin: instanceID, id: id, command).encoded()
        let receivers: Int
        do {
            receivers = try await client.send([names.publishCommand, requestChannel, request]).int ?? 0
        } catch {
            pending.withLockedValue { _ = $0.removeValue(forKey: id) }
            logger.warning("control request not published: \(error); only this instance's sockets were reached")
            return []
        }
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            self?.finish(id)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let ready = pending.withLockedValue { table -> [ControlReply]? in
                guard var entry = table[id] else { return [] }
                entry.expected = max(0, receivers - 1)
                if entry.isTimedOut || entry.replies.count >= receivers - 1 {
                    table[id] = nil
                    return entry.replies
                }
                entry.continuation = continuation
                table[id] = entry
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Reads a message of the control channels: runs another instance's request, or files a reply.
    func receive(_ text: String) {
        switch ControlMessage.decode(text) {
        case .request(let origin, let id, let command)? where origin != instanceID:
            guard let handler = handler.withLockedValue({ $0 }) else { return }
            let client = self.client
            let publish = names.publishCommand
            let replyChannel = names.controlReply(instanceID: origin)
            Task {
                let reply = await handler.run(command)
                let message = ControlMessage.reply(id: id, reply).encoded()
                _ = try? await client.send([publish, replyChannel, message])
            }
        case .reply(let id, let reply)?:
            file(reply, for: id)
        case .request?, nil:
            return
        }
    }

    private func file(_ reply: ControlReply, for id: String) {
        let done = pending.withLockedValue { table -> (CheckedContinuation<[ControlReply], Never>, [ControlReply])? in
            guard var entry = table[id] else { return nil }
            entry.replies.append(reply)
            if let expected = entry.expected, entry.replies.count >= expected, let continuation = entry.continuation {
                table[id] = nil
                return (continuation, entry.replies)
            }
            table[id] = entry
            return nil
        }
        if let (continuation, replies) = done { continuation.resume(returning: replies) }
    }

    private func finish(_ id: String) {
        let done = pending.withLockedValue { table -> (CheckedContinuation<[ControlReply], Never>, [ControlReply])? in
            guard var entry = table[id] else { return nil }
            guard let continuation = entry.continuation else {
                entry.isTimedOut = true
                table[id] = entry
                return nil
            }
            table[id] = nil
            return (continuation, entry.replies)
        }
        if let (continuation, replies) = done { continuation.resume(returning: replies) }
    }
}

/// A command runner kept in a lock box (see ``Callback`` for why it is wrapped).
struct ControlHandler: Sendable {
    let run: @Sendable (ControlCommand) async -> ControlReply
}
