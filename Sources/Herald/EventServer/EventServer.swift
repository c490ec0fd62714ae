public import CoreMetrics
import NIOConcurrencyHelpers
import NIOCore

/// The event-server drop-in over Herald's core: backends fire typed events (`POST /event`), listener WebSockets
/// that subscribed to a type receive them, on every instance (through the ``ClusterBus``).
///
/// Knows nothing of HTTP or WebSocket framing: `HeraldServer` reads requests and frames and calls in here.
public final class EventServer: Sendable {
    /// The `eventServer:` settings.
    public let settings: EventServerSettings
    /// The listeners of this instance.
    public let listeners: EventListenerRegistry
    private let tokens: NIOLockedValueBox<EventTokens>
    private let bus: any ClusterBus
    private let fired: Counter
    private let delivered: Counter
    private let connectedGauge: Gauge

    /// Creates the server accepting `tokens`; events reach other instances through `bus`, metrics go to `factory`.
    public init(
        settings: EventServerSettings,
        tokens: EventTokens,
        bus: any ClusterBus = LocalClusterBus(),
        metricsFactory factory: any MetricsFactory = NOOPMetricsHandler.instance
    ) {
        self.settings = settings
        self.tokens = NIOLockedValueBox(tokens)
        self.bus = bus
        listeners = EventListenerRegistry(maxListeners: settings.maxListeners)
        fired = Counter(label: MetricNames.eventsFired, factory: factory)
        delivered = Counter(label: MetricNames.eventsDelivered, factory: factory)
        connectedGauge = Gauge(label: MetricNames.eventListeners, factory: factory)
        let registry = listeners
        let delivered = self.delivered
        bus.onFiredEvent { event in
            Self.deliver(event, to: registry, counting: delivered)
        }
    }

    /// Starts hearing events fired on other instances; returns once subscribed (or the bus will retry).
    public func start() async {
        await bus.attachEvents()
    }

    /// Accepts `tokens` from now on (a reload of the tokens file); listeners already subscribed stay.
    public func replaceTokens(_ tokens: EventTokens) {
        self.tokens.withLockedValue { $0 = tokens }
    }

    /// Checks credentials (`Basic <token>`).
    public func authenticate(_ credentials: String?) -> EventServerCode {
        tokens.withLockedValue { $0 }.authenticate(credentials)
    }

    /// Delivers `event` to this instance's listeners and hands it to the other instances, returning once it is on
    /// its way to each of them.
    public func fire(_ event: FiredEvent) async {
        fired.increment()
        Self.deliver(event, to: listeners, counting: delivered)
        await bus.publish(event)
    }

    private static func deliver(_ event: FiredEvent, to registry: EventListenerRegistry, counting delivered: Counter) {
        let count = registry.send(ByteBuffer(string: event.listenerMessage), toListenersOf: event.event)
        if count > 0 {
            delivered.increment(by: count)
        }
    }

    /// Admits a new listener connection; false when ``EventServerSettings/maxListeners`` are connected.
    public func connect(_ listener: any EventListener) -> Bool {
        let admitted = listeners.connect(listener)
        connectedGauge.record(listeners.count)
        return admitted
    }

    /// Reads a listener's init message: the answer's code and, for `OK`, the subscription is in place. A refusal
    /// without a code (too many event types) means the listener must be closed.
    public func initialize(_ listener: any EventListener, message: String) -> Result<EventServerCode, ListenerInit.Refusal> {
        switch ListenerInit.parse(message, maxEvents: settings.maxEventTypes) {
        case .failure(let refusal):
            return .failure(refusal)
        case .success(let request):
            let code = authenticate(request.authentication)
            if code == .ok {
                listeners.subscribe(listener, to: request.events)
            }
            return .success(code)
        }
    }

    /// Forgets a listener whose connection closed.
    public func disconnect(_ listener: any EventListener) {
        listeners.disconnect(listener)
        connectedGauge.record(listeners.count)
    }

    /// Closes every listener with 1001 (graceful shutdown).
    public func closeAll() {
        listeners.closeAll()
    }
}
