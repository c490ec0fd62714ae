import NIOConcurrencyHelpers

/// The device sessions on this process, by site and user room, so a message for a user reaches their sockets here.
final class DeviceSessions: Sendable {
    private struct UserKey: Hashable {
        let site: String
        let userRoom: String
    }

    private let table = NIOLockedValueBox<[UserKey: [ObjectIdentifier: DeviceSession]]>([:])

    func add(_ session: DeviceSession) {
        let key = UserKey(site: session.device.site, userRoom: session.device.userRoom)
        table.withLockedValue { $0[key, default: [:]][ObjectIdentifier(session)] = session }
    }

    func remove(_ session: DeviceSession) {
        let key = UserKey(site: session.device.site, userRoom: session.device.userRoom)
        table.withLockedValue { table in
            table[key]?[ObjectIdentifier(session)] = nil
            if table[key]?.isEmpty == true { table[key] = nil }
        }
    }

    func sessions(site: String, userRoom: String) -> [DeviceSession] {
        table.withLockedValue { table in
            table[UserKey(site: site, userRoom: userRoom)].map { Array($0.values) } ?? []
        }
    }
}
