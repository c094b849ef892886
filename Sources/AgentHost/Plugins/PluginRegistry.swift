import AgentWire
import Foundation
import Logging

/// Every plugin build the daemon has seen: generations per agent, and refusals.
///
/// A build's identity is its content hash. Loading a new build of an agent makes
/// it active at once; the previous one drains until its last turn ends.
public actor PluginRegistry {
    private let store: PluginStore
    private let loader: PluginLoader
    private let logger: Logger
    /// Which generation is active, draining or retired; this actor carries out what it decides.
    private var table = GenerationTable()
    /// The image behind each generation id, kept for the life of the process.
    private var plugins: [Int: LoadedPlugin] = [:]
    private var loadedHashes: Set<String> = []
    private var refusals: [PluginRefusal] = []
    /// Which build is being loaded, on disk: a build that took an earlier run down is refused.
    private var journal: LoadJournal
    /// Whether the builds present at start-up are still loading.
    public nonisolated let startup = PluginStartup()

    /// - Parameters:
    ///   - storeDirectory: where verified builds are copied and loaded from.
    ///   - journalPath: the start-up journal (`LoadJournal`); nil keeps none.
    ///   - logger: the daemon's logger.
    ///   - turns: where plugins' turn callbacks go.
    init(storeDirectory: String, journalPath: String? = nil, logger: Logger, turns: any PluginTurnCallbacks) {
        self.store = PluginStore(directory: storeDirectory)
        self.loader = PluginLoader(logger: logger, turns: turns)
        self.logger = logger
        self.journal = LoadJournal(path: journalPath, logger: logger)
    }

    /// Verifies, stores and loads one dropped file. Refusals are logged and kept;
    /// whatever was active before keeps serving.
    /// - Parameters:
    ///   - path: the dropped file; it is read once and never loaded from there.
    @discardableResult
    public func load(path: String) -> Result<[GenerationInfo], PluginRefusal> {
        do {
            let file = try PluginFileVerifier.verify(path: path)
            if loadedHashes.contains(file.sha256) {
                return .success(table.generations.filter { $0.sha256 == file.sha256 })
            }
            let storePath = try store.install(file)
            let plugin = try journal.recording(file) { () throws(PluginRefusal) in try loader.load(storePath: storePath, file: file) }
            loadedHashes.insert(file.sha256)
            refusals.removeAll { $0.file == (path as NSString).lastPathComponent }
            return .success(plugin.manifest.agents.map { activate(plugin: plugin, agent: $0.id) })
        } catch {
            // The same file refused for the same reason (e.g. seen at start-up and
            // again by the watcher) is logged once.
            let known = refusals.contains { $0.file == error.file && $0.reason == error.reason && $0.sha256 == error.sha256 }
            if !known { logger.error("plugin refused", metadata: ["file": "\(error.file)", "reason": "\(error.reason)"]) }
            refusals.removeAll { $0.file == error.file }
            refusals.append(error)
            return .failure(error)
        }
    }

    private func activate(plugin: LoadedPlugin, agent: String) -> GenerationInfo {
        let upgrade = plugin.manifest.agents.first { $0.id == agent }?.upgrade ?? .migrate
        let build = GenerationTable.Build(
            agent: agent, sha256: plugin.sha256, version: plugin.manifest.version, plugin: plugin.name,
            upgrade: upgrade, loadedAt: Date()
        )
        let generation = table.activate(build).generation
        plugins[generation.id] = plugin
        logger.notice(
            "agent loaded",
            metadata: ["agent": "\(agent)", "generation": "\(generation.id)", "version": "\(plugin.manifest.version)",
                       "sha256": "\(plugin.sha256.prefix(12))"]
        )
        return generation
    }

    /// Leases the active generation of `agent` for one turn.
    func lease(agent: String) throws(AgentHostError) -> GenerationLease {
        guard case .leased(let lease) = table.lease(agent: agent) else { throw .unknownAgent(agent) }
        guard let plugin = plugins[lease.generationId] else {
            // Every generation gets its image in the same actor turn that activates it,
            // so this cannot happen; it must still never hand out a lease without one.
            _ = table.release(lease)
            throw .unknownAgent(agent)
        }
        return GenerationLease(lease: lease, agent: agent, plugin: plugin)
    }

    /// Gives a turn's lease back; the last turn of a draining generation retires it.
    func release(_ lease: GenerationLease) {
        _ = table.release(lease.lease)
    }

    /// Whether a turn running on `lease` should move to a newer active build at
    /// its next step boundary: a newer one is active and the old build's agent
    /// did not choose to drain.
    func shouldMigrate(_ lease: GenerationLease) -> Bool {
        table.shouldMigrate(lease.lease)
    }

    /// Makes the generation activated before the current one active again.
    /// - Parameters:
    ///   - agent: the agent id; `unknownAgent` without an active generation,
    ///     `conflict` when the active one is its first.
    public func rollback(agent: String) throws(AgentHostError) -> GenerationInfo {
        switch table.rollback(agent: agent) {
        case .unknownAgent:
            throw .unknownAgent(agent)
        case .noEarlierGeneration:
            throw .conflict("agent `\(agent)` has no earlier generation to roll back to")
        case .restored(let restored, _):
            // The image is still mapped and its globals intact (nothing is ever
            // unloaded), so the same generation serves again.
            logger.notice("rolled back", metadata: ["agent": "\(agent)", "generation": "\(restored.id)"])
            return restored
        }
    }

    /// Whether `agent` has an active generation to run turns on.
    /// - Parameters:
    ///   - agent: the agent id from a plugin's manifest.
    public func hasAgent(_ agent: String) -> Bool {
        table.activeGeneration(of: agent) != nil
    }

    public struct Snapshot: Sendable, Codable {
        public struct Agent: Sendable, Codable {
            public var id: String
            public var activeGeneration: Int?
            public var generations: [GenerationInfo]
        }

        public var agents: [Agent]
        public var refusals: [PluginRefusal]
    }

    /// Every agent's generations in activation order, and the refused files.
    public func snapshot() -> Snapshot {
        let generations = table.generations
        let ids = Array(Set(generations.map(\.agent))).sorted()
        let agents = ids.map { id in
            let own = generations.filter { $0.agent == id }
            return Snapshot.Agent(id: id, activeGeneration: own.last { $0.state == .active }?.id, generations: own)
        }
        return Snapshot(agents: agents, refusals: refusals)
    }
}
