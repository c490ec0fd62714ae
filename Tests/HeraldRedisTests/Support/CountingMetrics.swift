import CoreMetrics
import NIOConcurrencyHelpers

/// A metrics factory that keeps counter totals by label and dimensions, for tests that check what was counted;
/// every other metric goes nowhere.
final class CountingMetrics: MetricsFactory, Sendable {
    private final class Count: CounterHandler, Sendable {
        let total = NIOLockedValueBox<Int64>(0)
        func increment(by amount: Int64) { total.withLockedValue { $0 += amount } }
        func reset() { total.withLockedValue { $0 = 0 } }
    }

    private let counters = NIOLockedValueBox<[String: Count]>([:])

    /// The total of the counter `label` with exactly `dimensions` (0 when it was never made).
    func total(_ label: String, _ dimensions: [(String, String)]) -> Int64 {
        counters.withLockedValue { $0[Self.key(label, dimensions)] }?.total.withLockedValue { $0 } ?? 0
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        counters.withLockedValue { table in
            let key = Self.key(label, dimensions)
            if let existing = table[key] { return existing }
            let count = Count()
            table[key] = count
            return count
        }
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        NOOPMetricsHandler.instance.makeFloatingPointCounter(label: label, dimensions: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        NOOPMetricsHandler.instance.makeMeter(label: label, dimensions: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        NOOPMetricsHandler.instance.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        NOOPMetricsHandler.instance.makeTimer(label: label, dimensions: dimensions)
    }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    func destroyMeter(_ handler: any MeterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    private static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        ([label] + dimensions.map { "\($0.0)=\($0.1)" }).joined(separator: "|")
    }
}
