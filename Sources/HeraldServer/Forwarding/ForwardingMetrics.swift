import CoreMetrics

/// What polling without sticky sessions costs and where it fails, per instance:
/// - `herald_forwarded_requests_total{transport, outcome}`: requests for another instance's session that reached
///   this one. `transport` is `polling` (forwarded over HTTP) or `websocket` (an upgrade spliced to the owner);
///   `outcome` is `answered` (the owner's answer went back), `tunnelled` (the upgrade was handed to the splice),
///   `owner_unreachable` (the client got "Session ID unknown"), `busy` (503, `cluster.maxForwards` reached) or
///   `too_large` (413).
/// - `herald_forward_markers_refused_total`: requests refused with 403 because their forwarding marker did not
///   authenticate (a wrong secret between instances, a stale clock, or a client forging one).
struct ForwardingMetrics: Sendable {
    /// How one forward ended.
    enum Outcome: String, CaseIterable, Sendable {
        case answered
        case tunnelled
        case ownerUnreachable = "owner_unreachable"
        case busy
        case tooLarge = "too_large"
    }

    /// How the forwarded request travels to the owner.
    enum Transport: String, CaseIterable, Sendable {
        case polling
        case websocket
    }

    static let forwardedRequests = "herald_forwarded_requests_total"
    static let markersRefused = "herald_forward_markers_refused_total"

    private let forwarded: [String: Counter]
    private let refused: Counter

    /// Metrics written to `factory`; every label combination exists from the start, at zero.
    init(factory: any MetricsFactory) {
        var forwarded: [String: Counter] = [:]
        for transport in Transport.allCases {
            for outcome in Outcome.allCases {
                forwarded[Self.key(transport, outcome)] = Counter(
                    label: Self.forwardedRequests,
                    dimensions: [("transport", transport.rawValue), ("outcome", outcome.rawValue)],
                    factory: factory
                )
            }
        }
        self.forwarded = forwarded
        refused = Counter(label: Self.markersRefused, factory: factory)
    }

    /// Counts one request for another instance's session that ended with `outcome`.
    func forwarded(_ transport: Transport, _ outcome: Outcome) {
        forwarded[Self.key(transport, outcome)]?.increment()
    }

    /// Counts one request refused for a marker that did not authenticate.
    func markerRefused() {
        refused.increment()
    }

    private static func key(_ transport: Transport, _ outcome: Outcome) -> String {
        "\(transport.rawValue) \(outcome.rawValue)"
    }
}
