import Herald
import SocketIO
import Testing

@testable import HeraldRedis

@Suite struct ClusterMessageEventTests {
    @Test func eventServerEventsCrossTheBusWithTheirDataAsItCame() throws {
        let events = [
            FiredEvent(event: "order", data: ["id": 7, "items": ["a", .null], "paid": true]),
            FiredEvent(event: "ping", data: nil),
            FiredEvent(event: "null", data: .null),
        ]
        for event in events {
            let text = ClusterMessage.event(origin: "instance-a", event).encoded()
            guard case .event(let origin, let decoded) = ClusterMessage.decode(text) else {
                Issue.record("not decoded as an event: \(text)")
                continue
            }
            #expect(origin == "instance-a")
            #expect(decoded == event)
        }
    }
}
