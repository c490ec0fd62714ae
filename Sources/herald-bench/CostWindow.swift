/// The server's (all instances') and Redis's CPU at the start of a measured window, so their cost over the window
/// can be charged to what it produced: deliveries, connections, seconds of idling.
struct CostWindow {
    /// The servers' sample when the window opened (also what their memory was then).
    let server: ServerSample?
    private let redis: ServerSample?

    /// Samples the processes named by `--server-pid` and `--redis-pid` now.
    init(_ common: CommonOptions) {
        server = common.sample()
        redis = common.redisSample()
    }

    /// Sets `server_cpu_us_per_<unit>` (split into `server_user_us_per_<unit>` and `server_system_us_per_<unit>`; and `redis_cpu_us_per_<unit>` when Redis is sampled) to the CPU the
    /// processes used since the window opened, divided by `count`; nothing when `count` is not positive or a
    /// process could not be sampled.
    func charge(_ report: inout BenchReport, per unit: String, count: Double, common: CommonOptions) {
        guard count > 0 else { return }
        if let server, let now = common.sample() {
            report.set("server_cpu_us_per_\(unit)", (now.cpuMicros - server.cpuMicros) / count)
            report.set("server_user_us_per_\(unit)", (now.userMicros - server.userMicros) / count)
            report.set("server_system_us_per_\(unit)", (now.systemMicros - server.systemMicros) / count)
        }
        if let redis, let now = common.redisSample() {
            report.set("redis_cpu_us_per_\(unit)", (now.cpuMicros - redis.cpuMicros) / count)
        }
    }
}
