public import EngineIO

extension IOSettings {
    /// The Engine.IO configuration these settings describe, mounted at `/socket.io/`.
    public var engineConfiguration: EngineConfiguration {
        EngineConfiguration(
            path: "/socket.io/",
            pingInterval: .milliseconds(Int64(pingInterval)),
            pingTimeout: .milliseconds(Int64(pingTimeout)),
            maxPayload: maxPayload,
            cors: corsOrigins.isEmpty ? .reflectAnyOrigin : .allowList(Set(corsOrigins)),
            requestHeaderTimeout: .milliseconds(Int64(requestHeaderTimeout)),
            idleConnectionTimeout: .milliseconds(Int64(idleConnectionTimeout))
        )
    }
}
