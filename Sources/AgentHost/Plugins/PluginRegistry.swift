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
    private var generations: [GenerationInfo] = []
    private var plugins: [Int: LoadedPlugin] = [:]
    private var loadedHashes: Set<String> = []
    private var refusals: [PluginRefusal] = []
    private var nextGenerationId = 1

    init(storeDirectory: String, logger: Logger, turns: any PluginTurnCallbacks) {
        self.store = PluginStore(directory: storeDirectory)
        self.loader = PluginLoader(logger: logger, turns: turns)
        self.logger = logger
    }

    /// Verifies, stores and loads one dropped file. Refusals are logged and kept;
    /// whatever was active before keeps serving.
    @discardableResult
    public func load(path: String) -> Result<[GenerationInfo], PluginRefusal> {
        do {
            let file = try PluginFileVerifier.verify(path: path)
            if loadedHashes.contains(file.sha256) {
                return .success(generations.filter { $0.sha256 == file.sha256 })
            }
            let storePath = try store.install(file)
            let plugin = try loader.load(storePath: storePath, file: file)
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
        for index in generations.indices where generations[index].agent == agent && generations[index].state == .active {
            generations[index].state = generations[index].liveTurns == 0 ? .retired : .draining
        }
        let generation = GenerationInfo(
            id: nextGenerationId, agent: agent, sha256: plugin.sha256, version: plugin.manifest.version,
            plugin: plugin.name, state: .active, loadedAt: Date(), liveTurns: 0
        )
        nextGenerationId += 1
        generations.append(generation)
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
        guard let index = generations.lastIndex(where: { $0.agent == agent && $0.state == .active }),
              let plugin = plugins[generations[index].id]
        else { throw .unknownAgent(agent) }
        generations[index].liveTurns += 1
        return GenerationLease(generationId: generations[index].id, agent: agent, plugin: plugin)
    }

    func release(_ lease: GenerationLease) {
        guard let index = generations.firstIndex(where: { $0.id == lease.generationId }) else { return }
        generations[index].liveTurns = max(0, generations[index].liveTurns - 1)
        if generations[index].state == .draining, generations[index].liveTurns == 0 {
            generations[index].state = .retired
        }
    }

    /// Whether a turn running on `lease` should move to a newer active build at
    /// its next step boundary: a newer one is active and the old build's agent
    /// did not choose to drain.
    func shouldMigrate(_ lease: GenerationLease) -> Bool {
        guard let active = generations.last(where: { $0.agent == lease.agent && $0.state == .active }),
              active.id != lease.generationId
        else { return false }
        let policy = lease.plugin.manifest.agents.first { $0.id == lease.agent }?.upgrade ?? .migrate
        return policy == .migrate
    }

    /// Makes the generation activated before the current one active again.
    public func rollback(agent: String) throws(AgentHostError) -> GenerationInfo {
        guard let current = generations.lastIndex(where: { $0.agent == agent && $0.state == .active }) else {
            throw .unknownAgent(agent)
        }
        guard let previous = generations[..<current].lastIndex(where: { $0.agent == agent }) else {
            throw .conflict("agent `\(agent)` has no earlier generation to roll back to")
        }
        var restored = generations.remove(at: previous)
        let currentIndex = current - 1
        generations[currentIndex].state = generations[currentIndex].liveTurns == 0 ? .retired : .draining
        // The image is still mapped and its globals intact (nothing is ever
        // unloaded), so the same generation serves again; it moves to the end of
        // the list, which is the order activations happened in.
        restored.state = .active
        generations.append(restored)
        logger.notice("rolled back", metadata: ["agent": "\(agent)", "generation": "\(restored.id)"])
        return restored
    }

    public func hasAgent(_ agent: String) -> Bool {
        generations.contains { $0.agent == agent && $0.state == .active }
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

    public func snapshot() -> Snapshot {
        let ids = Array(Set(generations.map(\.agent))).sorted()
        let agents = ids.map { id in
            let own = generations.filter { $0.agent == id }
            return Snapshot.Agent(id: id, activeGeneration: own.last { $0.state == .active }?.id, generations: own)
        }
        return Snapshot(agents: agents, refusals: refusals)
    }
}
