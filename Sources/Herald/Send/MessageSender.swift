public import Logging

/// The one path every message takes to clients, whether it came alone or in a batch on `POST /send`, or on the
/// Redis channel `herald:send`: deliver it with ``Delivery`` and log what happened.
public struct MessageSender: Sendable {
    private let delivery: Delivery
    private let logger: Logger

    /// Creates the sender delivering through `delivery`.
    public init(delivery: Delivery, logger: Logger) {
        self.delivery = delivery
        self.logger = logger
    }

    /// Sends `request` on `site`; `metadata` (site, request ID, …) goes into the log line.
    public func send(_ request: SendRequest, on site: Site, metadata: Logger.Metadata) async -> SendOutcome {
        var metadata = metadata
        metadata["event"] = "\(request.event)"
        metadata["rooms"] = .array(request.rooms.map { "\($0)" })
        let report: DeliveryReport
        do {
            report = try await delivery.send(request, on: site)
        } catch .storeUnavailable(let error) {
            logger.error("send failed, message store unavailable: \(error)", metadata: metadata)
            return .storeUnavailable
        } catch {
            logger.notice("send refused: the site was removed by a reload while the request ran", metadata: metadata)
            return .siteRemoved
        }
        metadata["messageId"] = report.messageID.map { "\($0)" }
        metadata["devices"] = "\(report.storedDevices)"
        logger.info("message sent", metadata: metadata)
        return .sent(report)
    }

    /// Sends a batch's messages in order, one outcome per item. An unreadable item is skipped with its error. Once
    /// the store fails, the remaining items are not attempted and count as ``SendOutcome/storeUnavailable``, so a
    /// later message never reaches clients before an earlier one that could not be stored; once the site is gone
    /// (a reload removed it), the remaining items count as ``SendOutcome/siteRemoved``.
    public func send(
        batch items: [Result<SendRequest, SendRequestError>],
        on site: Site,
        metadata: Logger.Metadata
    ) async -> [SendOutcome] {
        var outcomes: [SendOutcome] = []
        outcomes.reserveCapacity(items.count)
        var stopped: SendOutcome?
        for (index, item) in items.enumerated() {
            var itemMetadata = metadata
            itemMetadata["batchIndex"] = "\(index)"
            switch item {
            case .failure(let error):
                logger.notice("send refused: \(error.reason)", metadata: itemMetadata)
                outcomes.append(.invalid(error))
            case .success(let request):
                if let stopped {
                    outcomes.append(stopped)
                    continue
                }
                let outcome = await send(request, on: site, metadata: itemMetadata)
                if outcome == .storeUnavailable || outcome == .siteRemoved {
                    stopped = outcome
                }
                outcomes.append(outcome)
            }
        }
        return outcomes
    }
}
