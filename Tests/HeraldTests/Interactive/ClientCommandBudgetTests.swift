import Testing

@testable import Herald

@Suite struct ClientCommandBudgetTests {
    @Test func hookCallsInFlightAreCappedAndGivenBack() {
        let budget = ClientCommandBudget(maxCallsInFlight: 2, callsPerSecond: 10, publishesPerSecond: 1, now: ManualTime().source)
        #expect(budget.startCall())
        #expect(budget.startCall())
        #expect(!budget.startCall())
        budget.finishCall()
        #expect(budget.startCall())
    }

    @Test func hookCallsPerSecondAreCappedEvenWhenEachAnswersAtOnce() {
        let time = ManualTime()
        let budget = ClientCommandBudget(maxCallsInFlight: 8, callsPerSecond: 3, publishesPerSecond: 1, now: time.source)
        for _ in 0..<3 {
            #expect(budget.startCall())
            budget.finishCall()
        }
        #expect(!budget.startCall())
        time.advance(by: .seconds(1))
        #expect(budget.startCall())
    }

    @Test func aSitesHookSlotsAreSharedByItsSocketsAndNotByOtherSites() {
        let slots = SiteHookSlots(limit: 2)
        #expect(slots.take(site: "a"))
        #expect(slots.take(site: "a"))
        #expect(!slots.take(site: "a"))
        #expect(slots.take(site: "b"))
        slots.release(site: "a")
        #expect(slots.take(site: "a"))
    }

    @Test func publishesRefillWithTime() {
        let time = ManualTime()
        let budget = ClientCommandBudget(maxCallsInFlight: 1, callsPerSecond: 10, publishesPerSecond: 2, now: time.source)
        #expect(budget.takePublish())
        #expect(budget.takePublish())
        #expect(!budget.takePublish())
        time.advance(by: .milliseconds(500))
        #expect(budget.takePublish())
        #expect(!budget.takePublish())
    }

    @Test func anUnsubscribeOrALaterSubscribeSettlesAPendingSubscription() {
        let budget = ClientCommandBudget(maxCallsInFlight: 1, callsPerSecond: 10, publishesPerSecond: 1, now: ManualTime().source)
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
