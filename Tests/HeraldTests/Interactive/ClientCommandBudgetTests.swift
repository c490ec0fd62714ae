import Testing

@testable import Herald

@Suite struct ClientCommandBudgetTests {
    @Test func hookCallsInFlightAreCappedAndGivenBack() {
        let budget = ClientCommandBudget(maxCallsInFlight: 2, publishesPerSecond: 1, now: ManualTime().source)
        #expect(budget.startCall())
        #expect(budget.startCall())
        #expect(!budget.startCall())
        budget.finishCall()
        #expect(budget.startCall())
    }

    @Test func publishesRefillWithTime() {
        let time = ManualTime()
        let budget = ClientCommandBudget(maxCallsInFlight: 1, publishesPerSecond: 2, now: time.source)
        #expect(budget.takePublish())
        #expect(budget.takePublish())
        #expect(!budget.takePublish())
        time.advance(by: .milliseconds(500))
        #expect(budget.takePublish())
        #expect(!budget.takePublish())
    }

    @Test func anUnsubscribeOrALaterSubscribeSettlesAPendingSubscription() {
        let budget = ClientCommandBudget(maxCallsInFlight: 1, publishesPerSecond: 1, now: ManualTime().source)
        let first = budget.wantSubscription(to: "chat")
        budget.dropSubscription(to: "chat")
        #expect(!budget.settleSubscription(to: "chat", ticket: first))
        let second = budget.wantSubscription(to: "chat")
        let third = budget.wantSubscription(to: "chat")
        #expect(!budget.settleSubscription(to: "chat", ticket: second))
        #expect(budget.settleSubscription(to: "chat", ticket: third))
        #expect(!budget.settleSubscription(to: "chat", ticket: third))
    }
}
