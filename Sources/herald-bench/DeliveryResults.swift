extension BenchReport {
    /// Adds the delivery accounting shared by the fan-out and reliable scenarios; returns the number lost.
    @discardableResult
    mutating func addDeliveries(tally: DeliveryTally, posted: MessagePoster.Outcome, joined: Int) -> Int {
        let expected = posted.accepted.count * joined
        let lost = max(0, expected - tally.unique)
        let windowSeconds = max(Double(Int64(tally.lastReceiptMicros) - Int64(posted.startMicros)) / 1e6, 1e-9)
        set("clients_joined", Double(joined))
        set("sends_accepted", Double(posted.accepted.count))
        set("sends_per_s", Double(posted.accepted.count) / max(posted.seconds, 1e-9))
        set("expected", Double(expected))
        set("delivered", Double(tally.unique))
        set("lost", Double(lost))
        set("duplicated", Double(tally.duplicates))
        set("redelivered_after_reconnect", Double(tally.redelivered))
        set("delivered_in_batch", Double(tally.batched))
        set("malformed", Double(tally.malformed))
        set("window_s", windowSeconds)
        set("deliveries_per_s", Double(tally.unique) / windowSeconds)
        set("latency_p50_ms", Double(tally.latency.valueAtPercentile(50)) / 1000)
        set("latency_p90_ms", Double(tally.latency.valueAtPercentile(90)) / 1000)
        set("latency_p99_ms", Double(tally.latency.valueAtPercentile(99)) / 1000)
        set("latency_max_ms", Double(tally.latency.max) / 1000)
        return lost
    }
}

extension BenchReport {
    /// Adds the server's CPU time between two samples per distinct delivery: in total, and split into user and
    /// system time (the kernel's share shows where a difference between two runs comes from).
    mutating func addServerCPU(from before: ServerSample, to after: ServerSample, deliveries: Int) {
        guard deliveries > 0 else { return }
        set("server_cpu_us_per_delivery", (after.cpuMicros - before.cpuMicros) / Double(deliveries))
        set("server_user_us_per_delivery", (after.userMicros - before.userMicros) / Double(deliveries))
        set("server_system_us_per_delivery", (after.systemMicros - before.systemMicros) / Double(deliveries))
    }
}

extension ClientFleet {
    /// Waits until `expected` distinct deliveries arrived or none arrived for `quietSeconds`.
    func waitForDeliveries(expected: Int, quietSeconds: Double) async throws {
        var last = -1
        var quietSince = ContinuousClock.now
        while true {
            let now = uniqueDeliveries
            if now >= expected { return }
            if now != last {
                last = now
                quietSince = .now
            } else if (ContinuousClock.now - quietSince).seconds > quietSeconds {
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
