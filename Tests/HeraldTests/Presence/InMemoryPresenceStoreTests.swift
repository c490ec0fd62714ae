import Herald
import MessageStoreContract
import Testing

struct InMemoryPresenceStoreTests {
    @Test(arguments: PresenceStoreContract.allCases)
    func contract(_ rule: PresenceStoreContract) async throws {
        try await rule.check {
            let table = InMemoryPresenceTable()
            return { InMemoryPresenceStore(instanceID: $0, table: table) }
        }
    }
}
