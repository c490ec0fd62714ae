/// Names of Herald's metrics, in Prometheus form (docs/operations.md lists them with their labels).
public enum MetricNames {
    /// Counter `{site, outcome}`: clients' attempts to join a site.
    public static let handshakes = "herald_handshakes_total"
    /// Counter `{site, command, outcome}`: clients' `_subscribe`, `_unsubscribe`, `_publish` and `_rpc` requests (also
    /// from plain WebSocket clients); `outcome` is `ok` or the error code the client got.
    public static let clientCommands = "herald_client_commands_total"
    /// Histogram `{site}`: seconds an authUrl call took.
    public static let authHookDuration = "herald_auth_hook_duration_seconds"
    /// Counter `{site}`: messages emitted by `POST /send` (one per message, whatever the number of recipients).
    public static let messagesEmitted = "herald_messages_emitted_total"
    /// Counter `{site}`: device queue entries stored (one per device that keeps the message).
    public static let messagesQueued = "herald_messages_queued_total"
    /// Counter `{site}`: queued messages devices acknowledged.
    public static let messagesAcked = "herald_messages_acked_total"
    /// Counter `{site}`: queued messages sent again in a `_batch`.
    public static let messagesReplayed = "herald_messages_replayed_total"
    /// Counter `{site, status}`: `POST /send` requests by HTTP status.
    public static let sendRequests = "herald_send_requests_total"
    /// Counter `{site, command, status}`: backends' `POST /rpc` and `POST /disconnect` requests (`command` `rpc` or
    /// `disconnect`) by HTTP status.
    public static let backendCommands = "herald_backend_commands_total"
    /// Gauge `{site, transport}`: sockets connected to this instance.
    public static let connectedSockets = "herald_connected_sockets"
    /// Gauge `{site}`: messages waiting in device queues.
    public static let queueDepth = "herald_queued_messages"
    /// Counter `{site}`: devices forgotten (queue deleted) to make room for a new device under `maxDevicesPerUser`.
    public static let devicesEvicted = "herald_devices_evicted_total"
    /// Counter `{site}`: new devices refused with `Too many devices` (the user's other devices all connected).
    public static let devicesRefused = "herald_devices_refused_total"
    /// Counter `{site}`: live emits left in the device's queue for its next `_batch` because the socket already had
    /// `maxPendingAcksPerSocket` messages unacknowledged.
    public static let liveEmitsDeferred = "herald_live_emits_deferred_total"
    /// Counter `{reason}`: connections the server closed on its own (timeouts, bad requests, WebSocket protocol
    /// violations, clients that do not read); the reasons are `ConnectionClosure`'s raw values.
    public static let connectionsClosed = "herald_connections_closed_total"
    /// Histogram: how late a task scheduled on an event loop ran.
    public static let eventLoopLag = "herald_event_loop_lag_seconds"
    /// Counter: events fired with `POST /event` on this instance.
    public static let eventsFired = "herald_event_server_events_fired_total"
    /// Counter: event messages handed to this instance's listeners (one per listener, counted once per event).
    public static let eventsDelivered = "herald_event_server_events_delivered_total"
    /// Gauge: event-server listener WebSockets open on this instance.
    public static let eventListeners = "herald_event_server_listeners"
}
