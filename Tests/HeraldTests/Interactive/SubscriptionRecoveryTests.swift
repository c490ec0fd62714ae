import HookClient
import Testing

@testable import Herald

@Suite struct SubscriptionRecoveryTests {
    private let site = Site(
        name: "talk",
        authentication: .tokens([:]),
        apiKey: "k",
        userRoomPrefix: "user_",
        interaction: SiteInteraction(subscribeURL: "http://127.0.0.1:9/subscribe")
    )
    private let session: Set<String> = ["#herald/sub/a", "#herald/sub/b", "news"]

    private func recover(slots: SiteHookSlots, hooks: FakeHooks) async -> Set<String> {
        await SubscriptionRecovery(hook: InteractionHook(hooks: hooks, timeout: .seconds(1)), slots: slots).stillAllowed(
            session,
            socketID: "s1",
            credentials: ClientCredentials(token: "t", deviceID: "d", meta: nil),
            granted: ["news"],
            site: site
        )
    }

    @Test func subscriptionsTheHookStillAllowsAreKept() async {
        let hooks = FakeHooks { request in
            let body = String(decoding: request.body ?? [], as: UTF8.self)
            return HookResponse(status: body.contains(#""room":"a""#) ? 200 : 403)
        }
        #expect(await recover(slots: SiteHookSlots(), hooks: hooks) == ["#herald/sub/a"])
        #expect(hooks.requests.count == 2)
    }

    @Test func aSiteWithoutFreeHookSlotsLeavesThemWithoutAsking() async {
        let hooks = FakeHooks { _ in HookResponse(status: 200) }
        #expect(await recover(slots: SiteHookSlots(limit: 0), hooks: hooks) == [])
        #expect(hooks.requests.isEmpty)
    }
}
