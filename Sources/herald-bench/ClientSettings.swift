import NIOCore

/// Which protocol the bench clients speak, how each identifies itself and how long it may take to join.
struct ClientSettings: Sendable {
    /// The protocol every client speaks.
    let client: ClientProtocol
    /// Site name.
    let site: String
    /// Derives client i's token.
    let token: IndexedFormat
    /// Derives client i's device id.
    let device: IndexedFormat
    /// Event name counted as a delivery.
    let event: String
    /// Longest a client may take from TCP connect to admission.
    let joinTimeout: TimeAmount
    /// Whether WebSocket clients offer permessage-deflate (`fanout --permessage-deflate`).
    var offersPermessageDeflate = false

    /// Client `index`'s identity towards `target`.
    func identity(_ index: Int, target: ServerTarget, reconnected: Bool) -> ClientIdentity {
        ClientIdentity(
            index: index,
            site: site,
            token: token(index),
            deviceID: device(index),
            hostHeader: "\(target.host):\(target.port)",
            event: event,
            reconnected: reconnected,
            offersPermessageDeflate: offersPermessageDeflate
        )
    }
}

extension Duration {
    /// This duration in seconds as a floating-point number, for rates.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
