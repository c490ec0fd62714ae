public import Herald
public import Testing

/// The behaviour every ``PresenceStore`` must have, run by each implementation's tests:
/// `@Test(arguments: PresenceStoreContract.allCases) func contract(_ rule: PresenceStoreContract) async throws {
/// try await rule.check(makeStores) }`.
public enum PresenceStoreContract: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case firstSocketOfADeviceArrivesAndItsOtherSocketsDoNot
    case lastSocketLeavingLeavesThePendingMemberListedUntilExpired
    case reconnectWithinTheGraceCancelsTheLeaveSilently
    case anOlderLeaveDoesNotSettleANewerOne
    case socketsOfOneDeviceOnTwoInstancesCountOnce
    case reapingTakesAwayWhatTheDeadInstanceHeld
    case roomsSitesAndNamesAreKeptApart

    public var testDescription: String { rawValue }

    /// Makes a fresh, empty backend and returns a maker of stores on it, one per instance ID.
    public typealias Factory = @Sendable () async throws -> @Sendable (_ instanceID: String) -> any PresenceStore

    /// Runs this rule against stores from `factory`.
    public func check(_ factory: Factory) async throws {
        let make = try await factory()
        try await PresenceScenario(a: make("a"), b: make("b")).run(self)
    }
}

private struct PresenceScenario {
    let a: any PresenceStore
    let b: any PresenceStore
    let phone = PresenceMember(user: "42", deviceID: "phone")
    let laptop = PresenceMember(user: "7", deviceID: "laptop")

    func members(_ room: String = "news", site: String = "shop") async throws -> [PresenceMember] {
        try await a.members(site: site, room: room).sorted()
    }

    func run(_ rule: PresenceStoreContract) async throws {
        switch rule {
        case .firstSocketOfADeviceArrivesAndItsOtherSocketsDoNot:
            #expect(try await a.arrive(phone, site: "shop", rooms: ["news", "chat"]) == ["chat", "news"])
            #expect(try await a.arrive(phone, site: "shop", rooms: ["news"]) == [])
            #expect(try await a.arrive(laptop, site: "shop", rooms: ["news"]) == ["news"])
            #expect(try await members() == [phone, laptop])
            #expect(try await a.depart(phone, site: "shop", rooms: ["news"], leave: "t1") == [])
            #expect(try await members() == [phone, laptop])
        case .lastSocketLeavingLeavesThePendingMemberListedUntilExpired:
            _ = try await a.arrive(phone, site: "shop", rooms: ["news", "chat"])
            #expect(try await a.depart(phone, site: "shop", rooms: ["news", "chat"], leave: "t1").sorted() == ["chat", "news"])
            #expect(try await members() == [phone])
            #expect(try await a.expire(phone, site: "shop", rooms: ["news"], leave: "t1") == ["news"])
            #expect(try await members() == [])
            #expect(try await members("chat") == [phone])
            #expect(try await a.expire(phone, site: "shop", rooms: ["news", "chat"], leave: "t1") == ["chat"])
            #expect(try await a.expire(phone, site: "shop", rooms: ["chat"], leave: "t1") == [])
        case .reconnectWithinTheGraceCancelsTheLeaveSilently:
            _ = try await a.arrive(phone, site: "shop", rooms: ["news"])
            _ = try await a.depart(phone, site: "shop", rooms: ["news"], leave: "t1")
            #expect(try await b.arrive(phone, site: "shop", rooms: ["news"]) == [])
            #expect(try await a.expire(phone, site: "shop", rooms: ["news"], leave: "t1") == [])
            #expect(try await members() == [phone])
        case .anOlderLeaveDoesNotSettleANewerOne:
            _ = try await a.arrive(phone, site: "shop", rooms: ["news"])
            _ = try await a.depart(phone, site: "shop", rooms: ["news"], leave: "t1")
            _ = try await a.arrive(phone, site: "shop", rooms: ["news"])
            #expect(try await a.depart(phone, site: "shop", rooms: ["news"], leave: "t2") == ["news"])
            #expect(try await a.expire(phone, site: "shop", rooms: ["news"], leave: "t1") == [])
            #expect(try await members() == [phone])
            #expect(try await a.expire(phone, site: "shop", rooms: ["news"], leave: "t2") == ["news"])
            #expect(try await members() == [])
        case .socketsOfOneDeviceOnTwoInstancesCountOnce:
            #expect(try await a.arrive(phone, site: "shop", rooms: ["news"]) == ["news"])
            #expect(try await b.arrive(phone, site: "shop", rooms: ["news"]) == [])
            #expect(try await a.depart(phone, site: "shop", rooms: ["news"], leave: "t1") == [])
            #expect(try await b.depart(phone, site: "shop", rooms: ["news"], leave: "t2") == ["news"])
            #expect(try await b.expire(phone, site: "shop", rooms: ["news"], leave: "t2") == ["news"])
            #expect(try await members() == [])
        case .reapingTakesAwayWhatTheDeadInstanceHeld:
            let tablet = PresenceMember(user: "42", deviceID: "tablet")
            let watch = PresenceMember(user: "9", deviceID: "watch")
            _ = try await b.arrive(phone, site: "shop", rooms: ["news"])
            _ = try await b.arrive(phone, site: "shop", rooms: ["news"])
            _ = try await b.arrive(laptop, site: "shop", rooms: ["news"])
            _ = try await a.arrive(laptop, site: "shop", rooms: ["news"])
            _ = try await b.arrive(tablet, site: "shop", rooms: ["news"])
            _ = try await b.depart(tablet, site: "shop", rooms: ["news"], leave: "t1")
            _ = try await b.arrive(watch, site: "shop", rooms: ["news"])
            _ = try await b.depart(watch, site: "shop", rooms: ["news"], leave: "t2")
            _ = try await a.arrive(watch, site: "shop", rooms: ["news"])
            let gone = try await a.reap(instance: "b")
            #expect(
                Set(gone) == [
                    PresenceDeparture(site: "shop", room: "news", member: phone),
                    PresenceDeparture(site: "shop", room: "news", member: tablet),
                ]
            )
            #expect(try await members() == [laptop, watch])
            #expect(try await a.reap(instance: "b") == [])
            #expect(try await a.depart(laptop, site: "shop", rooms: ["news"], leave: "t3") == ["news"])
        case .roomsSitesAndNamesAreKeptApart:
            let odd = PresenceMember(user: "a:b%3A", deviceID: "c:%")
            #expect(try await a.arrive(odd, site: "s:1", rooms: ["r:1", "r%3A1"]).sorted() == ["r%3A1", "r:1"])
            #expect(try await members("r:1", site: "s:1") == [odd])
            #expect(try await members("r:1") == [])
            #expect(try await members("r%3A1", site: "s:1") == [odd])
            _ = try await a.depart(odd, site: "s:1", rooms: ["r:1"], leave: "t1")
            let gone = try await b.reap(instance: "a")
            #expect(
                Set(gone) == [
                    PresenceDeparture(site: "s:1", room: "r:1", member: odd),
                    PresenceDeparture(site: "s:1", room: "r%3A1", member: odd),
                ]
            )
        }
    }
}
