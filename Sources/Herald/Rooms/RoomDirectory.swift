import NIOConcurrencyHelpers

/// Which user rooms belong to each shared room, per site, learned from the rooms connected clients were granted.
///
/// `POST /send` to a shared room on a site with `userRoomPrefix` reaches every user room listed here; shared
/// room names match case-insensitively, as in the Node service. Entries count connected sockets, so a pair
/// disappears when the last socket that granted it leaves.
public final class RoomDirectory: Sendable {
    private struct Key: Hashable {
        let site: String
        let sharedRoom: String
    }

    private let members = NIOLockedValueBox<[Key: [String: Int]]>([:])

    /// Creates an empty directory.
    public init() {}

    /// Records a connected socket of `site` whose user rooms are `userRooms` and shared rooms `sharedRooms`.
    public func register(site: String, userRooms: [String], sharedRooms: [String]) {
        guard !userRooms.isEmpty, !sharedRooms.isEmpty else { return }
        members.withLockedValue { table in
            for shared in Set(sharedRooms.map { $0.lowercased() }) {
                let key = Key(site: site, sharedRoom: shared)
                for userRoom in Set(userRooms) {
                    table[key, default: [:]][userRoom, default: 0] += 1
                }
            }
        }
    }

    /// Forgets what ``register(site:userRooms:sharedRooms:)`` recorded for one socket.
    public func unregister(site: String, userRooms: [String], sharedRooms: [String]) {
        guard !userRooms.isEmpty, !sharedRooms.isEmpty else { return }
        members.withLockedValue { table in
            for shared in Set(sharedRooms.map { $0.lowercased() }) {
                let key = Key(site: site, sharedRoom: shared)
                guard var users = table[key] else { continue }
                for userRoom in Set(userRooms) {
                    if let count = users[userRoom] {
                        users[userRoom] = count > 1 ? count - 1 : nil
                    }
                }
                table[key] = users.isEmpty ? nil : users
            }
        }
    }

    /// The user rooms whose users belong to `sharedRoom` (any letter case) on `site`.
    public func userRooms(site: String, sharedRoom: String) -> Set<String> {
        members.withLockedValue { table in
            Set(table[Key(site: site, sharedRoom: sharedRoom.lowercased())]?.keys ?? [:].keys)
        }
    }
}
