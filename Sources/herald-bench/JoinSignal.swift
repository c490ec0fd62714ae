import NIOCore

/// The outcome of one client's setup, as the task that connects it waits for it: admitted, refused, or failed by
/// the join timeout when the server neither admits nor refuses it in time.
struct JoinSignal {
    private let promise: EventLoopPromise<Void>
    private let timeout: TimeAmount
    private var timeoutTask: Scheduled<Void>?

    /// A signal completing `promise`, failing it after `timeout` once started.
    init(promise: EventLoopPromise<Void>, timeout: TimeAmount) {
        self.promise = promise
        self.timeout = timeout
    }

    /// Starts the join timeout on `context`'s loop; when it fires, the connection is closed.
    mutating func start(_ context: ChannelHandlerContext) {
        let promise = promise
        let channel = context.channel
        timeoutTask = context.eventLoop.scheduleTask(in: timeout) {
            promise.fail(JoinFailure.timeout)
            channel.close(promise: nil)
        }
    }

    /// The server admitted the client.
    func succeed() {
        timeoutTask?.cancel()
        promise.succeed()
    }

    /// The client will not join (nothing happens when it already joined).
    func fail(_ failure: JoinFailure) {
        timeoutTask?.cancel()
        promise.fail(failure)
    }
}
