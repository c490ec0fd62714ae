import Herald
import MessageStoreContract
import Testing

@Suite struct InMemoryMessageStoreTests {
    @Test(arguments: MessageStoreContract.allCases)
    func contract(_ rule: MessageStoreContract) async throws {
        try await rule.check { settings, clock in InMemoryMessageStore(settings: settings, clock: clock) }
    }

    @Test func purgeForgetsExpiredUsersAndTheirMemberships() async throws {
        let clock = ManualWallClock()
        let store = InMemoryMessageStore(settings: MessageStoreSettings(deviceTTL: 10), clock: clock)
        let phone = DeviceKey(site: "s", userRoom: "user_1", deviceID: "p")
        _ = try await store.connect(phone, sharedRooms: ["news"])
        try await store.disconnect(phone)
        clock.advance(seconds: 11)
        store.purgeExpired()
        #expect(try await store.userRooms(site: "s", sharedRoom: "news").isEmpty)
    }
}
