/// The parsers `make fuzz` feeds with libFuzzer, and the committed corpus replays in `swift test`.
///
/// Each target takes any bytes and must return normally: a trap (overflow, out-of-range index, failed
/// precondition) is a crash libFuzzer reports with the input that caused it. Beyond "does not crash", a target
/// checks what must hold for everything its parser accepts, such as "what was decoded encodes and decodes to
/// the same value", and traps when it does not.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// Engine.IO 3 polling payloads: length-prefixed text (`5:hello`) and the binary form.
    case enginePayloadV3 = "engine-payload-v3"
    /// Engine.IO 4 polling payloads: packets separated by 0x1E.
    case enginePayloadV4 = "engine-payload-v4"
    /// Single Engine.IO packets: WebSocket text and binary frames, both versions.
    case enginePacket = "engine-packet"
    /// Socket.IO packets on one connection, text and binary attachments interleaved.
    case socketPacket = "socket-packet"
    /// The JSON parser (Socket.IO payloads, `/send` bodies), and the validating scanner held to it.
    case json
    /// `application/x-www-form-urlencoded` `/send` bodies (`qs` semantics).
    case formBody = "form-body"
    /// Request query strings (handshake parameters, Socket.IO 2 namespace queries).
    case queryString = "query-string"
    /// Whole `/send` bodies: JSON objects, forms and JSON-array batches.
    case sendBody = "send-body"
    /// Redis replies through hiredis' reader, fed in pieces as they arrive from a socket, then read as cluster slot
    /// maps, redirects, sentinel answers and pub/sub pushes.
    case respReply = "resp-reply"
    /// `config.yml` and `sites.yml` text through the configuration loader.
    case configuration
    /// Event-server listener init messages and `POST /event` bodies.
    case eventServer = "event-server"
    /// Plain WebSocket JSON client messages, and event messages rendered from any text.
    case plainWebSocket = "plain-websocket"
    /// Server-Sent Events: `Last-Event-ID` values, and frames built from any event name and argument.
    case sse
    /// JWTs on `jwt:` sites: compact tokens as clients send them, and claims behind a good HS256 signature.
    case jwt
    /// Client addresses and CIDR ranges: `X-Forwarded-For` values and `allowFrom` / `denyFrom` / `trustedProxies` entries.
    case address
    /// Client commands (`_subscribe`, `_publish`, `_rpc` arguments) and `POST /rpc` / `POST /disconnect` bodies.
    case command

    /// Longest input worth trying: `make fuzz` passes it as `-max_len`, and longer inputs are ignored.
    public var maxLength: Int {
        switch self {
        case .configuration: 4_096
        case .address: 1_024
        case .formBody, .sendBody, .queryString, .eventServer, .plainWebSocket, .sse, .command: 16_384
        case .enginePayloadV3, .enginePayloadV4, .enginePacket, .socketPacket, .json, .respReply, .jwt: 8_192
        }
    }

    /// Feeds `input` to the target's parser.
    public func run(_ input: UnsafeRawBufferPointer) {
        guard input.count <= maxLength else { return }
        switch self {
        case .enginePayloadV3: EngineFuzzing.payload(input, version: .v3)
        case .enginePayloadV4: EngineFuzzing.payload(input, version: .v4)
        case .enginePacket: EngineFuzzing.packet(input)
        case .socketPacket: SocketFuzzing.packets(input)
        case .json: SocketFuzzing.json(input)
        case .formBody: SendFuzzing.form(input)
        case .queryString: SendFuzzing.query(input)
        case .sendBody: SendFuzzing.body(input)
        case .respReply: RedisFuzzing.replies(input)
        case .configuration: ConfigurationFuzzing.load(input)
        case .eventServer: EventServerFuzzing.messages(input)
        case .plainWebSocket: PlainWebSocketFuzzing.messages(input)
        case .sse: SSEFuzzing.run(input)
        case .jwt: JWTFuzzing.run(input)
        case .address: AddressFuzzing.run(input)
        case .command: CommandFuzzing.run(input)
        }
    }

    /// Runs the target on bytes held in an array (the corpus tests and the replayer).
    public func run(_ input: [UInt8]) {
        input.withUnsafeBytes { run($0) }
    }
}
