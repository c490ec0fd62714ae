/// The names of one site's keys, as the Lua scripts build them: every name starts with `herald:{site}:`, so all keys
/// of a site hash to one Redis Cluster slot, and user rooms, devices, rooms and session IDs are escaped (`%` → `%25`,
/// `:` → `%3A`) so names cannot collide. Scripts get these as `KEYS`; the layout is in ``RedisStoreScripts``.
struct RedisSiteKeys: Sendable {
    /// `herald:{site}:`, the first part of every key of the site.
    let prefix: String

    /// The keys of `site` under `keyPrefix` (`herald`).
    init(keyPrefix: String, site: String) {
        prefix = "\(keyPrefix):{\(site)}:"
    }

    /// The hash of a user's devices and their state.
    func devices(_ userRoom: String) -> String {
        prefix + "u:" + Self.escape(userRoom) + ":devices"
    }

    /// The set of a user's shared rooms.
    func userRooms(_ userRoom: String) -> String {
        prefix + "u:" + Self.escape(userRoom) + ":rooms"
    }

    /// The set of user rooms in a shared room (lower-cased).
    func sharedRoom(_ room: String) -> String {
        prefix + "r:" + Self.escape(room)
    }

    /// A device's queue keys `q`, `qs`, `m`, `ev` and, with `overflow`, `o`.
    func queue(_ userRoom: String, _ deviceID: String, overflow: Bool = true) -> [String] {
        let suffix = ":" + Self.escape(userRoom) + ":" + Self.escape(deviceID)
        let kinds = overflow ? ["q", "qs", "m", "ev", "o"] : ["q", "qs", "m", "ev"]
        return kinds.map { prefix + $0 + suffix }
    }

    /// An instance's share of the site's devices: device (`["user room","device"]`) → its sockets there.
    func heldDevices(_ instanceID: String) -> String {
        prefix + "inst:" + instanceID
    }

    /// An instance's share of the site's room presence.
    func heldPresence(_ instanceID: String) -> String {
        prefix + "prinst:" + instanceID
    }

    /// An instance's live connection state recovery sessions of the site: private session ID → `1`.
    func heldSessions(_ instanceID: String) -> String {
        prefix + "csrinst:" + instanceID
    }

    /// The presence hash of a room.
    func presence(_ room: String) -> String {
        prefix + "pr:" + Self.escape(room)
    }

    /// A recoverable session.
    func session(_ pid: String) -> String {
        prefix + "csr:" + Self.escape(pid)
    }

    /// `name` with `%` → `%25` and `:` → `%3A`, byte for byte as the scripts' `esc` (a combining mark after `:` does
    /// not hide it).
    static func escape(_ name: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            switch scalar {
            case "%": result.append(contentsOf: "%25".unicodeScalars)
            case ":": result.append(contentsOf: "%3A".unicodeScalars)
            default: result.append(scalar)
            }
        }
        return String(result)
    }
}
