import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Posts the fan-out scenario's messages: `count` `/send` calls numbered 0..<count, each stamped with its send
/// time, paced to `rate` per second (0: as fast as the server answers, bounded by the number of connections).
struct MessagePoster: Sendable {
    /// What the server did with the posted messages.
    struct Outcome: Sendable {
        /// Sequence numbers the server answered 200 to: each must reach every client.
        var accepted: [Int] = []
        /// Failed posts by status code or error.
        var failures: [String: Int] = [:]
        /// Wall-clock microseconds of the first post.
        var startMicros: UInt64 = 0
        /// Seconds spent posting.
        var seconds = 0.0
    }

    /// Rooms the message is sent to.
    let rooms: [String]
    /// Event name.
    let event: String
    /// Approximate size of the first argument in bytes (padded).
    let payloadBytes: Int

    /// The JSON body for message `seq` sent at `micros`.
    func body(seq: Int, micros: UInt64) -> String {
        let roomList = rooms.map { "\"\($0)\"" }.joined(separator: ",")
        let head = "{\"seq\":\(seq),\"t\":\(micros)"
        let padding = max(0, payloadBytes - head.utf8.count - 10)
        let argument = padding > 0 ? head + ",\"pad\":\"" + String(repeating: "x", count: padding) + "\"}" : head + "}"
        return "{\"rooms\":[\(roomList)],\"event\":\"\(event)\",\"args\":[\(argument)]}"
    }

    /// Posts `count` messages over `clients` connections at `rate` per second, counting each answer in `progress`.
    func run(count: Int, rate: Double, clients: [SendClient], progress: SendProgress? = nil) async -> Outcome {
        let next = NIOLockedValueBox(0)
        let outcome = NIOLockedValueBox(Outcome())
        let startMicros = WallClock.microseconds()
        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for client in clients {
                group.addTask {
                    while true {
                        let seq = next.withLockedValue { value in
                            defer { value += 1 }
                            return value
                        }
                        guard seq < count else { return }
                        if rate > 0 {
                            let due = started + .microseconds(Int64(Double(seq) / rate * 1e6))
                            if due > ContinuousClock.now { try? await Task.sleep(until: due) }
                        }
                        let body = ByteBuffer(string: self.body(seq: seq, micros: WallClock.microseconds()))
                        do {
                            let status = try await client.post(body)
                            outcome.withLockedValue { value in
                                if status == 200 { value.accepted.append(seq) } else { value.failures["HTTP \(status)", default: 0] += 1 }
                            }
                        } catch {
                            outcome.withLockedValue { $0.failures["\(error)", default: 0] += 1 }
                        }
                        progress?.increment()
                    }
                }
            }
        }
        var result = outcome.withLockedValue { $0 }
        result.startMicros = startMicros
        result.seconds = (ContinuousClock.now - started).seconds
        return result
    }
}
