import AgentWire
import Foundation
import Testing
@testable import AgentHost

/// The generation table alone: every transition between active, draining and
/// retired, and the events it must refuse, without loading any plugin.
@Suite struct GenerationTableTests {
    private static func build(_ version: String, agent: String = "chat", upgrade: UpgradePolicy = .migrate) -> GenerationTable.Build {
        GenerationTable.Build(
            agent: agent, sha256: "sha-\(agent)-\(version)", version: version, plugin: "Plugin\(version)",
            upgrade: upgrade, loadedAt: Date(timeIntervalSince1970: 0)
        )
    }

    private func states(_ table: GenerationTable, _ agent: String = "chat") -> [GenerationInfo.State] {
        table.generations.filter { $0.agent == agent }.map(\.state)
    }

    private func liveTurns(_ table: GenerationTable, _ agent: String = "chat") -> [Int] {
        table.generations.filter { $0.agent == agent }.map(\.liveTurns)
    }

    private func lease(_ table: inout GenerationTable, _ agent: String = "chat") throws -> GenerationTable.Lease {
        let lease: GenerationTable.Lease? = if case .leased(let lease) = table.lease(agent: agent) { lease } else { nil }
        return try #require(lease, "no lease for \(agent)")
    }

    @Test func theFirstBuildBecomesActive() {
        var table = GenerationTable()
        let activation = table.activate(Self.build("1"))
        #expect(activation.generation.id == 1)
        #expect(activation.generation.state == .active)
        #expect(activation.generation.liveTurns == 0)
        #expect(activation.generation.version == "1")
        #expect(activation.generation.sha256 == "sha-chat-1")
        #expect(activation.generation.plugin == "Plugin1")
        #expect(activation.superseded == nil)
        #expect(table.activeGeneration(of: "chat") == 1)
        #expect(table.activeGeneration(of: "other") == nil)
    }

    @Test func anIdleActiveGenerationRetiresWhenANewBuildIsActivated() {
        var table = GenerationTable()
        table.activate(Self.build("1"))
        let second = table.activate(Self.build("2"))
        #expect(second.generation.id == 2)
        #expect(second.superseded == .init(generationId: 1, state: .retired))
        #expect(states(table) == [.retired, .active])
        #expect(table.activeGeneration(of: "chat") == 2)
    }

    @Test func aLeasedActiveGenerationDrainsThenRetiresWithItsLastTurn() throws {
        var table = GenerationTable()
        table.activate(Self.build("1"))
        let first = try lease(&table)
        let second = try lease(&table)
        #expect(first.generationId == 1 && second.generationId == 1)
        #expect(first != second)
        #expect(liveTurns(table) == [2])

        #expect(table.activate(Self.build("2")).superseded == .init(generationId: 1, state: .draining))
        #expect(states(table) == [.draining, .active])
        #expect(liveTurns(table) == [2, 0])
        // New turns lease the new build; the draining one only loses turns.
        #expect(try lease(&table).generationId == 2)

        #expect(table.release(first) == .released)
        #expect(states(table) == [.draining, .active])
        #expect(table.release(second) == .retired)
        #expect(states(table) == [.retired, .active])
        #expect(liveTurns(table) == [0, 1])
    }

    @Test func releasingAnActiveGenerationsLastTurnKeepsItActive() throws {
        var table = GenerationTable()
        table.activate(Self.build("1"))
        let lease = try lease(&table)
        #expect(table.release(lease) == .released)
        #expect(states(table) == [.active])
        #expect(liveTurns(table) == [0])
    }

    @Test func severalGenerationsDrainAtOnce() throws {
        var table = GenerationTable()
        table.activate(Self.build("1"))
        let onFirst = try lease(&table)
        table.activate(Self.build("2"))
        let onSecond = try lease(&table)
        table.activate(Self.build("3"))
        #expect(states(table) == [.draining, .draining, .active])
        #expect(liveTurns(table) == [1, 1, 0])
        // Each drains with a deadline of its own.
        let drains = table.drains
        #expect(drains.map(\.generationId) == [1, 2])
        #expect(table.drainDeadlinePassed(drains[0]) == [onFirst])
        #expect(table.drainDeadlinePassed(drains[1]) == [onSecond])

        #expect(table.release(onSecond) == .retired)
        #expect(states(table) == [.draining, .retired, .active])
        #expect(table.release(onFirst) == .retired)
        #expect(states(table) == [.retired, .retired, .active])
    }

    @Test func leasingAnUnknownAgentFails() {
        var table = GenerationTable()
        #expect(table.lease(agent: "chat") == .unknownAgent)
        table.activate(Self.build("1", agent: "other"))
        #expect(table.lease(agent: "chat") == .unknownAgent)
        #expect(liveTurns(table, "other") == [0])
    }

    @Test func aLeaseIsReleasedOnceOnly() throws {
        var table = GenerationTable()
        table.activate(Self.build("1"))
        let first = try lease(&table)
        let second = try lease(&table)
        #expect(table.release(first) == .released)
        // A second release of the same lease must not take another turn's count.
        #expect(table.release(first) == .notLeased)
        #expect(liveTurns(table) == [1])
        #expect(table.release(second) == .released)
        #expect(table.release(second) == .notLeased)
        #expect(liveTurns(table) == [0])
        #expect(states(table) == [.active])
    }

    @Test func releasingAnUnknownLeaseChangesNothing() throws {
        var table = GenerationTable()
        table.activate(Self.build("1"))
        let real = try lease(&table)
        #expect(table.release(GenerationTable.Lease(generationId: 99, id: real.id)) == .notLeased)
        #expect(table.release(GenerationTable.Lease(generationId: 1, id: real.id + 100)) == .notLeased)
        #expect(liveTurns(table) == [1])
        #expect(states(table) == [.active])
    }

    @Test func aRetiredGenerationIsNotResurrectedByALateRelease() throws {
        var table = GenerationTable()
        table.activate(Self.build("1"))
        let lease = try lease(&table)
        table.activate(Self.build("2"))
        #expect(table.release(lease) == .retired)
        #expect(table.release(lease) == .notLeased)
        #expect(states(table) == [.retired, .active])
        #expect(liveTurns(table) == [0, 0])
    }

    @Test func aTurnOnAnOlderMigratingBuildMovesToTheNewOne() throws {
        var table = GenerationTable()
        table.activate(Self.build("1"))
        let old = try lease(&table)
        #expect(!table.shouldMigrate(old))
        table.activate(Self.build("2"))
        #expect(table.shouldMigrate(old))
        let new = try lease(&table)
        #expect(!table.shouldMigrate(new))
    }

    @Test func aTurnOnADrainPolicyBuildFinishesWhereItStarted() throws {
        var table = GenerationTable()
        table.activate(Self.build("1", upgrade: .drain))
        let old = try lease(&table)
        table.activate(Self.build("2"))
        #expect(!table.shouldMigrate(old))
        #expect(states(table) == [.draining, .active])
        #expect(table.release(old) == .retired)
    }

    @Test func anotherAgentsBuildDoesNotMoveATurn() throws {
        var table = GenerationTable()
        table.activate(Self.build("1", agent: "chat"))
        let onChat = try lease(&table, "chat")
        let other = table.activate(Self.build("1", agent: "other"))
        #expect(other.superseded == nil)
        #expect(!table.shouldMigrate(onChat))
        #expect(states(table, "chat") == [.active])
        #expect(table.activeGeneration(of: "other") == other.generation.id)
    }

    @Test func rollbackRestoresTheEarlierGenerationAndRetiresAnIdleCurrentOne() {
        var table = GenerationTable()
        table.activate(Self.build("1"))
        table.activate(Self.build("2"))
        guard case .restored(let restored, let superseded) = table.rollback(agent: "chat") else {
            Issue.record("rollback refused")
            return
        }
        #expect(restored.id == 1)
        #expect(restored.state == .active)
        #expect(superseded == .init(generationId: 2, state: .retired))
        #expect(table.activeGeneration(of: "chat") == 1)
        // The restored generation moves to the end: the list is in activation order.
        #expect(table.generations.map(\.id) == [2, 1])
        #expect(states(table) == [.retired, .active])
    }

    @Test func rollbackWhileTheCurrentGenerationHasLiveTurnsDrainsIt() throws {
        var table = GenerationTable()
        table.activate(Self.build("1"))
        table.activate(Self.build("2"))
        let onSecond = try lease(&table)
        guard case .restored(let restored, let superseded) = table.rollback(agent: "chat") else {
            Issue.record("rollback refused")
            return
        }
        #expect(restored.id == 1)
        #expect(superseded == .init(generationId: 2, state: .draining))
        #expect(table.shouldMigrate(onSecond))
        #expect(table.release(onSecond) == .retired)
        #expect(states(table) == [.retired, .active])
    }

    @Test func rollbackToADrainingGenerationKeepsItsTurns() throws {
        var table = GenerationTable()
        table.activate(Self.build("1"))
        let onFirst = try lease(&table)
        table.activate(Self.build("2"))
        #expect(states(table) == [.draining, .active])
        guard case .restored(let restored, _) = table.rollback(agent: "chat") else {
            Issue.record("rollback refused")
            return
        }
        #expect(restored.liveTurns == 1)
        #expect(!table.shouldMigrate(onFirst))
        // Active again: its last turn ending leaves it active, not retired.
        #expect(table.release(onFirst) == .released)
        #expect(states(table) == [.retired, .active])
    }

    @Test func rollbackTwiceGoesBackToTheLaterBuild() {
        var table = GenerationTable()
        table.activate(Self.build("1"))
        table.activate(Self.build("2"))
        _ = table.rollback(agent: "chat")
        guard case .restored(let restored, let superseded) = table.rollback(agent: "chat") else {
            Issue.record("rollback refused")
            return
        }
        #expect(restored.id == 2)
        #expect(superseded == .init(generationId: 1, state: .retired))
        #expect(table.generations.map(\.id) == [1, 2])
    }

    @Test func rollbackWithNoEarlierGenerationIsAConflict() {
        var table = GenerationTable()
        table.activate(Self.build("1"))
        table.activate(Self.build("1", agent: "other"))
        #expect(table.rollback(agent: "chat") == .noEarlierGeneration)
        #expect(states(table) == [.active])
        #expect(table.activeGeneration(of: "chat") == 1)
    }

    @Test func rollbackOfAnUnknownAgentFails() {
        var table = GenerationTable()
        #expect(table.rollback(agent: "chat") == .unknownAgent)
        table.activate(Self.build("1", agent: "other"))
        #expect(table.rollback(agent: "chat") == .unknownAgent)
    }

    @Test func generationIdsAreNeverReused() {
        var table = GenerationTable()
        let ids = [
            table.activate(Self.build("1", agent: "a")).generation.id,
            table.activate(Self.build("1", agent: "b")).generation.id,
            table.activate(Self.build("2", agent: "a")).generation.id,
        ]
        _ = table.rollback(agent: "a")
        #expect(ids == [1, 2, 3])
        #expect(table.activate(Self.build("3", agent: "a")).generation.id == 4)
    }

    // MARK: Drain deadlines

    @Test func aDrainDeadlineRecallsTheTurnsStillOnItsGeneration() throws {
        var table = GenerationTable()
        table.activate(Self.build("1"))
        let first = try lease(&table)
        let second = try lease(&table)
        #expect(table.drains.isEmpty, "an active generation has no deadline")
        table.activate(Self.build("2"))
        let newer = try lease(&table)
        let drain = try #require(table.drains.first)
        #expect(table.drains == [drain])
        #expect(drain.generationId == 1)

        #expect(table.release(first) == .released)
        #expect(table.drainDeadlinePassed(drain) == [second], "only the turn still on it, not the new build's")
        // The deadline changes no state by itself: the recalled turn leaves by releasing its lease.
        #expect(states(table) == [.draining, .active])
        #expect(table.release(second) == .retired)
        #expect(table.drains.isEmpty)
        #expect(table.drainDeadlinePassed(drain) == [], "a retired generation has nothing to recall")
        #expect(table.release(newer) == .released)
    }

    @Test func aDeadlineOfAnEarlierDrainDoesNotCutALaterOne() throws {
        var table = GenerationTable()
        table.activate(Self.build("1"))
        let turn = try lease(&table)
        table.activate(Self.build("2"))
        let firstDrain = try #require(table.drains.first)
        // Rolled back to while draining: active again, its deadline is void.
        _ = table.rollback(agent: "chat")
        #expect(table.drains.isEmpty)
        #expect(table.drainDeadlinePassed(firstDrain) == [])
        // Superseded again: a new drain with a deadline of its own.
        table.activate(Self.build("3"))
        let secondDrain = try #require(table.drains.first { $0.generationId == 1 })
        #expect(secondDrain != firstDrain)
        #expect(table.drainDeadlinePassed(firstDrain) == [])
        #expect(table.drainDeadlinePassed(secondDrain) == [turn])
    }

    // MARK: Health

    @Test func aGenerationIsUnhealthyAfterRepeatedHangs() throws {
        var table = GenerationTable(unhealthyAfterHangs: 3)
        table.activate(Self.build("1"))
        table.activate(Self.build("1", agent: "other"))
        #expect(table.generations.allSatisfy { $0.health == .healthy && $0.hangs == 0 })

        #expect(table.recordHang(generationId: 1) == .recorded(hangs: 1, becameUnhealthy: false))
        #expect(table.recordHang(generationId: 1) == .recorded(hangs: 2, becameUnhealthy: false))
        #expect(table.generations.first?.health == .healthy)
        #expect(table.recordHang(generationId: 1) == .recorded(hangs: 3, becameUnhealthy: true))
        #expect(table.generations.first?.health == .unhealthy)
        #expect(table.generations.first?.hangs == 3)
        // It is said once; further hangs are counted.
        #expect(table.recordHang(generationId: 1) == .recorded(hangs: 4, becameUnhealthy: false))
        #expect(table.generations.first?.health == .unhealthy)
        // Another agent's generation is not affected.
        #expect(table.generations.last?.health == .healthy)
        #expect(table.generations.last?.hangs == 0)
        #expect(table.recordHang(generationId: 99) == .unknownGeneration)
    }

    @Test func aNewBuildStartsHealthy() throws {
        var table = GenerationTable(unhealthyAfterHangs: 1)
        table.activate(Self.build("1"))
        _ = table.recordHang(generationId: 1)
        let second = table.activate(Self.build("2"))
        #expect(second.generation.health == .healthy)
        #expect(table.generations.map(\.health) == [.unhealthy, .healthy])
    }
}

/// Builds loaded without becoming active (the catalog decided another), and
/// decisions that make an existing generation active.
@Suite struct GenerationTableDecisionTests {
    private static func build(_ version: String, agent: String = "chat") -> GenerationTable.Build {
        GenerationTable.Build(
            agent: agent, sha256: "sha-\(agent)-\(version)", version: version, plugin: "Plugin\(version)",
            upgrade: .migrate, loadedAt: Date(timeIntervalSince1970: 0)
        )
    }

    private func states(_ table: GenerationTable) -> [String] {
        table.generations.map { "\($0.version):\($0.state.rawValue)" }
    }

    @Test func anInactiveBuildHoldsNoLeaseUntilMadeActive() throws {
        var table = GenerationTable()
        let inactive = table.addInactive(Self.build("1"))
        #expect(inactive.state == .retired)
        #expect(table.activeGeneration(of: "chat") == nil)
        #expect(table.lease(agent: "chat") == .unknownAgent)
        #expect(table.builds(of: "chat") == ["sha-chat-1"])
        #expect(table.generation(of: "chat", sha256: "sha-chat-1") == inactive.id)

        guard case .activated(let generation, let superseded) = table.makeActive(generationId: inactive.id) else {
            Issue.record("not activated")
            return
        }
        #expect(generation.state == .active)
        #expect(superseded == nil)
        #expect(table.makeActive(generationId: inactive.id) == .alreadyActive)
        #expect(table.makeActive(generationId: 99) == .unknownGeneration)
    }

    @Test func makingALaterBuildActiveDrainsTheLeasedOneAndMovesItLast() throws {
        var table = GenerationTable()
        table.activate(Self.build("1"))
        guard case .leased(let lease) = table.lease(agent: "chat") else {
            Issue.record("no lease")
            return
        }
        let second = table.addInactive(Self.build("2"))
        #expect(states(table) == ["1:active", "2:retired"])

        guard case .activated(_, let superseded) = table.makeActive(generationId: second.id) else {
            Issue.record("not activated")
            return
        }
        #expect(superseded == .init(generationId: 1, state: .draining))
        #expect(table.shouldMigrate(lease))
        // Making the draining one active again keeps its lease: the turn runs on the active build.
        guard case .activated(let back, _) = table.makeActive(generationId: 1) else {
            Issue.record("not activated")
            return
        }
        #expect(back.liveTurns == 1)
        #expect(states(table) == ["2:retired", "1:active"])
        #expect(!table.shouldMigrate(lease))
    }

    @Test func anotherAgentsGenerationsAreLeftAlone() {
        var table = GenerationTable()
        table.activate(Self.build("1", agent: "a"))
        let other = table.addInactive(Self.build("1", agent: "b"))
        _ = table.makeActive(generationId: other.id)
        #expect(table.activeGeneration(of: "a") == 1)
        #expect(table.activeGeneration(of: "b") == other.id)
    }
}
