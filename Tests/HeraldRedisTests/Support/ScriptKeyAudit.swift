import Foundation
import HeraldRedis

/// Watches a server with `MONITOR` and checks that every script kept to one hash slot: each `EVAL`/`EVALSHA`
/// declares at least one key, and every `herald:` key its commands touch carries the hash tag of its first key.
///
/// A one-node cluster of Redis 7.0 refuses a script whose declared keys, or one of whose commands, span two slots,
/// but not two commands of one script on different slots (the check for that came in a later Redis); this audit
/// catches that too, as a real cluster with the slots on different nodes would.
final class ScriptKeyAudit: Sendable {
    private let process: Process
    private let output: URL
    private let client: RedisClient

    /// Starts watching `server`; returns once `MONITOR` is on.
    init(_ server: RedisServerProcess) async throws {
        client = try RedisClient(configuration: try RedisConfiguration(url: server.url))
        try await client.waitUntilConnected(timeout: .seconds(5))
        output = FileManager.default.temporaryDirectory.appendingPathComponent("herald-monitor-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: output.path, contents: nil) else {
            throw AuditFailure("cannot create \(output.path)")
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-cli")
        process.arguments = ["-h", "127.0.0.1", "-p", String(server.port), "monitor"]
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        guard await eventually(timeout: .seconds(10), { self.lines().first == "OK" }) else {
            stop()
            throw AuditFailure("MONITOR did not start")
        }
    }

    /// Stops watching once everything sent before has been seen, and returns each script call that left its slot,
    /// with the commands that did.
    func violations() async throws -> [String] {
        let marker = "audit-end-\(UUID().uuidString)"
        _ = try await client.send(["ECHO", marker])
        let seen = await eventually(timeout: .seconds(10)) { self.lines().contains { $0.contains(marker) } }
        stop()
        await client.close()
        guard seen else { throw AuditFailure("MONITOR never showed the end marker") }
        return Self.violations(in: lines())
    }

    /// How many script calls were seen (so a test knows the audit watched something).
    func scriptCalls() -> Int {
        lines().filter { Self.isScriptCall(Self.arguments(of: $0)) }.count
    }

    /// Ends `redis-cli` with SIGTERM without waiting for it: Foundation notices a child's exit on the run loop of
    /// the thread that started it, which a test's task may have left, so a wait here could never end.
    private func stop() {
        if process.isRunning {
            process.terminate()
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: output)
    }

    private func lines() -> [String] {
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    static func violations(in lines: [String]) -> [String] {
        var found: [String] = []
        var script: (call: String, tag: String?)?
        for line in lines {
            let arguments = arguments(of: line)
            if line.contains(" lua] ") {
                // A `PUBLISH` channel is no key (a cluster broadcasts it); an `SPUBLISH` channel is, and is checked.
                guard let current = script, arguments.first?.uppercased() != "PUBLISH" else { continue }
                for key in arguments.dropFirst() where key.hasPrefix("herald:") && tag(of: key) != current.tag {
                    found.append("\(current.call) touched \(key) with \(arguments[0])")
                }
            } else if isScriptCall(arguments) {
                let count = Int(arguments[2]) ?? 0
                let keys = Array(arguments.dropFirst(3).prefix(count))
                let call = "\(arguments[0]) \(keys.first ?? "<no keys>")"
                if keys.isEmpty { found.append("\(call): declares no keys") }
                for key in keys where tag(of: key) != tag(of: keys[0]) { found.append("\(call) declares \(key)") }
                script = (call, keys.first.flatMap(tag(of:)))
            } else {
                script = nil
            }
        }
        return found
    }

    private static func isScriptCall(_ arguments: [String]) -> Bool {
        guard arguments.count >= 3 else { return false }
        return ["eval", "evalsha"].contains(arguments[0].lowercased())
    }

    /// The hash tag of `key` as Redis Cluster reads it: between the first `{` and the next `}`, if not empty.
    static func tag(of key: String) -> String? {
        guard let open = key.firstIndex(of: "{") else { return nil }
        let rest = key[key.index(after: open)...]
        guard let close = rest.firstIndex(of: "}"), close != rest.startIndex else { return nil }
        return String(rest[..<close])
    }

    /// The quoted arguments of one `MONITOR` line (`<time> [<db> <source>] "arg" "arg" …`), escapes kept as the
    /// escaped character.
    static func arguments(of line: String) -> [String] {
        guard let end = line.range(of: "] ") else { return [] }
        var arguments: [String] = []
        var current = ""
        var inside = false
        var escaped = false
        for character in line[end.upperBound...] {
            if !inside {
                if character == "\"" { inside = true }
                continue
            }
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                arguments.append(current)
                current = ""
                inside = false
            } else {
                current.append(character)
            }
        }
        return arguments
    }
}

struct AuditFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
