import AgentWire
import Foundation

/// The generations of every agent and the rules that move them between active,
/// draining and retired: a value-type state machine with no I/O and no logging.
///
/// Each event is a `mutating func` that returns what happened; `PluginRegistry`
/// owns the table and carries the results out (log lines, the loaded images).
/// An agent has at most one active generation. Activating a new build, or rolling
/// back, supersedes the active one: it drains while turns still hold leases on it
/// and is retired once the last one is released. A retired generation never holds
/// a lease, and nothing is ever removed: images stay mapped for the process's life.
///
/// A draining generation has a deadline: each spell of draining is numbered
/// (`Drain`), the registry times it, and `drainDeadlinePassed` names the leases
/// to recall then. A generation whose turns or tools overran their time limits
/// `unhealthyAfterHangs` times is reported unhealthy.
struct GenerationTable: Sendable {
    /// What the table needs to know about one agent of one loaded build.
    struct Build: Sendable, Hashable {
        var agent: String
        var sha256: String
        var version: String
        var plugin: String
        /// What a running turn on this build does when a newer one becomes active.
        var upgrade: UpgradePolicy
        var loadedAt: Date
    }

    /// One turn's claim on a generation; released exactly once.
    struct Lease: Sendable, Hashable {
        var generationId: Int
        var id: Int
    }

    /// Where a generation stands; the live leases travel with the states that can hold them.
    private enum State: Sendable {
        case active(leases: Set<Int>)
        /// Superseded while turns still ran on it; never empty (it retires instead).
        /// `drain` numbers this spell of draining, whose deadline it is.
        case draining(leases: Set<Int>, drain: Int)
        case retired

        var leases: Set<Int> {
            switch self {
            case .active(let leases), .draining(let leases, _): leases
            case .retired: []
            }
        }

        var label: GenerationInfo.State {
            switch self {
            case .active: .active
            case .draining: .draining
            case .retired: .retired
            }
        }
    }

    private struct Row: Sendable {
        let id: Int
        let build: Build
        var state: State
        /// Turns and tool calls that overran their time limits on this generation.
        var hangs = 0

        func info(unhealthyAfterHangs: Int) -> GenerationInfo {
            GenerationInfo(
                id: id, agent: build.agent, sha256: build.sha256, version: build.version, plugin: build.plugin,
                state: state.label, loadedAt: build.loadedAt, liveTurns: state.leases.count,
                health: hangs >= unhealthyAfterHangs ? .unhealthy : .healthy, hangs: hangs
            )
        }
    }

    /// In activation order: a rolled-back generation moves to the end again.
    private var rows: [Row] = []
    private var nextGenerationId = 1
    private var nextLeaseId = 1
    private var nextDrain = 1
    /// Hangs after which a generation is reported unhealthy.
    let unhealthyAfterHangs: Int

    /// An empty table.
    /// - Parameters:
    ///   - unhealthyAfterHangs: Overrun turns and tools after which a generation is unhealthy.
    init(unhealthyAfterHangs: Int = 3) {
        self.unhealthyAfterHangs = unhealthyAfterHangs
    }

    /// A generation that stopped being active, and what it became.
    struct Superseded: Sendable, Hashable {
        var generationId: Int
        var state: GenerationInfo.State
    }

    /// The result of `activate(_:)`.
    struct Activation: Sendable, Hashable {
        /// The new generation, active now.
        var generation: GenerationInfo
        /// The agent's previous active generation, if it had one.
        var superseded: Superseded?
    }

    /// Makes `build` a new active generation of its agent; the previous active
    /// one drains if turns hold leases on it, else retires.
    @discardableResult
    mutating func activate(_ build: Build) -> Activation {
        let superseded = supersedeActive(agent: build.agent)
        let row = Row(id: nextGenerationId, build: build, state: .active(leases: []))
        nextGenerationId += 1
        rows.append(row)
        return Activation(generation: info(row), superseded: superseded)
    }

    /// Adds `build` as a generation of its agent that is not active: loaded, but
    /// the recorded decision names another build (`BuildDecisions`). It holds
    /// no lease and is retired at once; `makeActive` can bring it in later.
    @discardableResult
    mutating func addInactive(_ build: Build) -> GenerationInfo {
        let row = Row(id: nextGenerationId, build: build, state: .retired)
        nextGenerationId += 1
        rows.append(row)
        return info(row)
    }

    /// The result of `makeActive(generationId:)`.
    enum MakeActiveResult: Sendable, Hashable {
        /// `generation` is active now; its agent's previous active one became `superseded`, if it had one.
        case activated(generation: GenerationInfo, superseded: Superseded?)
        /// It was active already: nothing changed.
        case alreadyActive
        case unknownGeneration
    }

    /// Makes an existing generation its agent's active one, whatever its state,
    /// and moves it to the end of the activation order; the agent's active one
    /// drains or retires as on any activation. A draining generation keeps its
    /// leases: those turns run on the active build again.
    mutating func makeActive(generationId: Int) -> MakeActiveResult {
        guard let index = rows.firstIndex(where: { $0.id == generationId }) else { return .unknownGeneration }
        if case .active = rows[index].state { return .alreadyActive }
        var restored = rows.remove(at: index)
        let superseded = supersedeActive(agent: restored.build.agent)
        restored.state = .active(leases: restored.state.leases)
        rows.append(restored)
        return .activated(generation: info(restored), superseded: superseded)
    }

    /// The id of `agent`'s generation of the build `sha256`, if it was loaded.
    func generation(of agent: String, sha256: String) -> Int? {
        rows.last { $0.build.agent == agent && $0.build.sha256 == sha256 }?.id
    }

    /// The builds of `agent` that have a generation here.
    func builds(of agent: String) -> Set<String> {
        Set(rows.filter { $0.build.agent == agent }.map(\.build.sha256))
    }

    /// The result of `lease(agent:)`.
    enum LeaseResult: Sendable, Hashable {
        case leased(Lease)
        /// The agent has no active generation.
        case unknownAgent
    }

    /// Leases the active generation of `agent` for one turn.
    mutating func lease(agent: String) -> LeaseResult {
        guard let index = activeIndex(of: agent), case .active(var leases) = rows[index].state else { return .unknownAgent }
        let lease = Lease(generationId: rows[index].id, id: nextLeaseId)
        nextLeaseId += 1
        leases.insert(lease.id)
        rows[index].state = .active(leases: leases)
        return .leased(lease)
    }

    /// The result of `release(_:)`.
    enum ReleaseResult: Sendable, Hashable {
        case released
        /// That was the last lease of a draining generation, which is retired now.
        case retired
        /// The lease was released before, or never handed out: nothing changed.
        case notLeased
    }

    /// Gives a lease back. Releasing it a second time changes nothing, so a count
    /// never goes negative and a retired generation never comes back.
    mutating func release(_ lease: Lease) -> ReleaseResult {
        guard let index = rows.firstIndex(where: { $0.id == lease.generationId }) else { return .notLeased }
        switch rows[index].state {
        case .active(var leases):
            guard leases.remove(lease.id) != nil else { return .notLeased }
            rows[index].state = .active(leases: leases)
            return .released
        case .draining(var leases, let drain):
            guard leases.remove(lease.id) != nil else { return .notLeased }
            rows[index].state = leases.isEmpty ? .retired : .draining(leases: leases, drain: drain)
            return leases.isEmpty ? .retired : .released
        case .retired:
            return .notLeased
        }
    }

    /// Whether a turn holding `lease` should move to a newer build at its next step
    /// boundary: another generation of its agent is active and the leased build's
    /// upgrade policy is `migrate`.
    func shouldMigrate(_ lease: Lease) -> Bool {
        guard let leased = rows.first(where: { $0.id == lease.generationId }),
              let active = activeIndex(of: leased.build.agent), rows[active].id != lease.generationId
        else { return false }
        return leased.build.upgrade == .migrate
    }

    /// The result of `rollback(agent:)`.
    enum RollbackResult: Sendable, Hashable {
        /// `generation` is active again; the one that was active became `superseded`.
        case restored(generation: GenerationInfo, superseded: Superseded)
        /// The agent has no active generation.
        case unknownAgent
        /// The active generation is the agent's first one.
        case noEarlierGeneration
    }

    /// Makes the generation activated before the current one active again, whatever
    /// its state; the current one drains or retires as on any activation.
    mutating func rollback(agent: String) -> RollbackResult {
        guard let current = activeIndex(of: agent) else { return .unknownAgent }
        guard let previous = rows[..<current].lastIndex(where: { $0.build.agent == agent }) else { return .noEarlierGeneration }
        guard case .activated(let restored, let superseded?) = makeActive(generationId: rows[previous].id) else {
            // The previous row is not active and the current one is: makeActive always supersedes it.
            return .noEarlierGeneration
        }
        return .restored(generation: restored, superseded: superseded)
    }

    /// One spell of draining of one generation: what a drain deadline is for.
    struct Drain: Sendable, Hashable {
        var generationId: Int
        var number: Int
    }

    /// The generations draining now, each with the spell its deadline belongs to.
    var drains: [Drain] {
        rows.compactMap { row in
            guard case .draining(_, let drain) = row.state else { return nil }
            return Drain(generationId: row.id, number: drain)
        }
    }

    /// The deadline of `drain` passed: the leases its generation still has, whose
    /// turns must leave it now. None when that spell is over (the generation
    /// retired, or was rolled back to and is active, or drains again since).
    func drainDeadlinePassed(_ drain: Drain) -> [Lease] {
        guard let row = rows.first(where: { $0.id == drain.generationId }),
              case .draining(let leases, drain.number) = row.state
        else { return [] }
        return leases.sorted().map { Lease(generationId: row.id, id: $0) }
    }

    /// The result of `recordHang(generationId:)`.
    enum HangResult: Sendable, Hashable {
        /// Counted; `becameUnhealthy` when this hang crossed the threshold.
        case recorded(hangs: Int, becameUnhealthy: Bool)
        case unknownGeneration
    }

    /// A turn or a tool call of `generationId` overran its time limit.
    mutating func recordHang(generationId: Int) -> HangResult {
        guard let index = rows.firstIndex(where: { $0.id == generationId }) else { return .unknownGeneration }
        rows[index].hangs += 1
        let hangs = rows[index].hangs
        return .recorded(hangs: hangs, becameUnhealthy: hangs == unhealthyAfterHangs)
    }

    /// The id of the agent's active generation, if it has one.
    func activeGeneration(of agent: String) -> Int? {
        activeIndex(of: agent).map { rows[$0].id }
    }

    /// Every generation, in activation order.
    var generations: [GenerationInfo] { rows.map(info) }

    private func info(_ row: Row) -> GenerationInfo {
        row.info(unhealthyAfterHangs: unhealthyAfterHangs)
    }

    private func activeIndex(of agent: String) -> Int? {
        rows.lastIndex { row in
            guard row.build.agent == agent, case .active = row.state else { return false }
            return true
        }
    }

    private mutating func supersedeActive(agent: String) -> Superseded? {
        var superseded: Superseded?
        for index in rows.indices where rows[index].build.agent == agent {
            guard case .active = rows[index].state else { continue }
            superseded = supersede(at: index)
        }
        return superseded
    }

    /// The generation at `index` stops being active: it drains while turns hold
    /// leases on it (a new spell, with a deadline of its own), else it retires.
    private mutating func supersede(at index: Int) -> Superseded {
        switch rows[index].state {
        case .active(let leases) where !leases.isEmpty:
            rows[index].state = .draining(leases: leases, drain: nextDrain)
            nextDrain += 1
        case .active, .retired:
            rows[index].state = .retired
        case .draining:
            break
        }
        return Superseded(generationId: rows[index].id, state: rows[index].state.label)
    }
}
