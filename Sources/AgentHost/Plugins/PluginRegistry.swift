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
    let logger: Logger
    /// Which plugins run in worker processes, and how workers start.
    private let isolation: IsolationPolicy
    private let workerLaunch: WorkerLaunch?
    /// How long a retiring build's `shutdown` may take.
    private let shutdownDeadline: Duration
    /// How long a generation may drain before its remaining turns are recalled.
    private let drainTimeout: Duration
    /// Each live lease's recall, fired at its generation's drain deadline.
    private var recalls: [Int: LeaseRecall] = [:]
    /// Drains whose deadline is being timed.
    private var timedDrains: Set<GenerationTable.Drain> = []
    /// Which generation is active, draining or retired; this actor carries out what it decides.
    var table = GenerationTable()
    /// The image behind each generation id, kept for the life of the process.
    var plugins: [Int: any PluginInstance] = [:]
    var loadedHashes: Set<String> = []
    /// Builds whose every generation retired and whose `shutdown` was called.
    var retiredHashes: Set<String> = []
    private var refusals: [PluginRefusal] = []
    /// Which build is being loaded, on disk: a build that took an earlier run down is refused.
    private var journal: LoadJournal
    /// Whether the builds present at start-up are still loading.
    public nonisolated let startup = PluginStartup()
    /// Where refusals are counted; the daemon's, which turns and `/metrics` use too.
    nonisolated let metrics: HostMetrics
    /// Where the activation decision is kept (`PluginRegistry+Catalog`); nil:
    /// each new build becomes active here and nothing survives a restart.
    let catalog: (any BuildCatalog)?
    /// Where builds fetched from a shared catalog are written before they are
    /// loaded like a dropped file; nil: builds are never fetched.
    let fetchDirectory: String?
    /// What the catalog said last; nil before it was read (or without one).
    var decisions: BuildDecisions?
    /// Builds fetched from the shared catalog and refused here: not fetched again.
    var refusedFetches: Set<String> = []
    /// Agent and build pairs whose "decided build is not served here" was logged.
    var reportedDrift: Set<String> = []
    /// The last catalog sync asked for: the next one runs after it.
    var syncQueue: Task<Void, Never>?

    /// - Parameters:
    ///   - storeDirectory: Where verified copies are kept (`store/<agent>/<sha256>.so`).
    ///   - journalPath: The start-up journal (`LoadJournal`); nil keeps none.
    ///   - logger: For loads, refusals and workers.
    ///   - turns: Where plugins' calls into the host go.
    ///   - isolation: Which plugins run in worker processes; in-process unless said.
    ///   - workerExecutable: The `agent-host` binary workers run; needed for worker isolation.
    ///   - workerMemoryLimitBytes: A worker using more resident memory is killed.
    ///   - workerLoadTimeout: A worker not loaded by then is killed and the build refused.
    ///   - shutdownDeadline: How long a retiring build's `shutdown` may take.
    ///   - drainTimeout: How long a superseded generation may drain before its
    ///     remaining turns move to the active build (or end).
    ///   - metrics: Where refusals are counted.
    ///   - catalog: Where the activation decision is kept; nil keeps none.
    ///   - fetchDirectory: Where builds fetched from a shared catalog are written before loading.
    init(
        storeDirectory: String, journalPath: String? = nil, logger: Logger, turns: any HostTurnCallbacks,
        isolation: IsolationPolicy = IsolationPolicy(defaultMode: .inProcess), workerExecutable: String? = nil,
        workerMemoryLimitBytes: Int? = nil, workerLoadTimeout: Duration = .seconds(30),
        shutdownDeadline: Duration = .seconds(10), drainTimeout: Duration = .seconds(60), metrics: HostMetrics = HostMetrics(),
        catalog: (any BuildCatalog)? = nil, fetchDirectory: String? = nil
    ) {
        self.metrics = metrics
        self.catalog = catalog
        self.fetchDirectory = fetchDirectory
        self.store = PluginStore(directory: storeDirectory)
        self.loader = PluginLoader(logger: logger, turns: turns)
        self.logger = logger
        self.journal = LoadJournal(path: journalPath, logger: logger)
        self.isolation = isolation
        self.workerLaunch = workerExecutable.map {
            WorkerLaunch(
                executable: $0, turns: turns, logger: logger, handshakeTimeout: workerLoadTimeout,
                memoryLimitBytes: workerMemoryLimitBytes
            )
        }
        self.shutdownDeadline = shutdownDeadline
        self.drainTimeout = drainTimeout
    }

    /// Verifies, stores and loads one dropped file. Refusals are logged and kept;
    /// whatever was active before keeps serving.
    /// - Parameters:
    ///   - path: the dropped file; it is read once and never loaded from there.
    @discardableResult
    public func load(path: String) async -> Result<[GenerationInfo], PluginRefusal> {
        // Builds load side by side (a worker's handshake takes a process start),
        // but become active in the order they were asked for, so the newest
        // deploy wins; one build is never instantiated twice at once (the
        // start-up scan and the watcher may both see a file: two entry calls
        // into one image at once, which a plugin need not survive).
        let previous = activationQueue
        let work = Task { () -> Result<[GenerationInfo], PluginRefusal> in
            let prepared = await prepare(path: path)
            await previous?.value
            return await finish(prepared, path: path)
        }
        activationQueue = Task { _ = await work.value }
        return await work.value
    }

    /// The last load asked for: the next one activates after it.
    private var activationQueue: Task<Void, Never>?
    /// Builds being instantiated, by hash; a second load of one waits for the first.
    private var instantiating: [String: Task<Result<any PluginInstance, PluginRefusal>, Never>] = [:]

    /// A build verified, stored and instantiated, or why not; its instance is
    /// nil when it was loaded before (or by the load this one waited for).
    private func prepare(path: String) async -> Result<(VerifiedPluginFile, (any PluginInstance)?), PluginRefusal> {
        let file: VerifiedPluginFile
        do {
            file = try PluginFileVerifier.verify(path: path)
        } catch {
            return .failure(error)
        }
        if loadedHashes.contains(file.sha256) { return .success((file, nil)) }
        if let running = instantiating[file.sha256] {
            // The other load activates it; this one reports the generations it made.
            return await running.value.map { _ in (file, nil) }
        }
        let task = Task { () -> Result<any PluginInstance, PluginRefusal> in
            do throws(PluginRefusal) {
                let storePath = try store.install(file)
                return .success(try await instantiate(storePath: storePath, file: file))
            } catch {
                return .failure(error)
            }
        }
        instantiating[file.sha256] = task
        let result = await task.value
        instantiating[file.sha256] = nil
        return result.map { (file, $0) }
    }

    /// Activates a prepared build (as the catalog decides, when there is one),
    /// or records its refusal.
    private func finish(
        _ prepared: Result<(VerifiedPluginFile, (any PluginInstance)?), PluginRefusal>, path: String
    ) async -> Result<[GenerationInfo], PluginRefusal> {
        switch prepared {
        case .success(let (file, plugin?)):
            loadedHashes.insert(file.sha256)
            refusals.removeAll { $0.file == (path as NSString).lastPathComponent }
            guard let decisions = await record(file, plugin: plugin) else {
                return .success(plugin.manifest.agents.map { activate(plugin: plugin, agent: $0.id) })
            }
            return .success(add(plugin, as: decisions))
        case .success(let (file, nil)):
            // Loaded before (or by the load this one waited for): its generations.
            return .success(table.generations.filter { $0.sha256 == file.sha256 })
        case .failure(let error):
            // The same file refused for the same reason (e.g. seen at start-up and
            // again by the watcher) is logged once.
            let known = refusals.contains { $0.file == error.file && $0.reason == error.reason && $0.sha256 == error.sha256 }
            if !known {
                logger.error("plugin refused", metadata: ["file": "\(error.file)", "reason": "\(error.reason)"])
                metrics.pluginRefused()
            }
            refusals.removeAll { $0.file == error.file }
            refusals.append(error)
            return .failure(error)
        }
    }

    /// Loads a verified build where the isolation policy says: in a worker
    /// process, or in this process (off the cooperative pool: `dlopen` runs
    /// the plugin's constructors and its entry function).
    private func instantiate(storePath: String, file: VerifiedPluginFile) async throws(PluginRefusal) -> any PluginInstance {
        if isolation.mode(forPlugin: file.name) == .worker {
            guard let workerLaunch else {
                throw PluginRefusal(file: file.name, reason: "worker isolation needs the agent-host executable", sha256: file.sha256)
            }
            return try await WorkerPlugin.load(storePath: storePath, file: file, launch: workerLaunch)
        }
        // In-process, the build's code runs in the daemon: the journal records
        // it first, so a build that kills or hangs this start is refused at the next.
        try journal.begin(file)
        let loader = loader
        let loaded = await PluginCalls.run { Result { () throws(PluginRefusal) in try loader.load(storePath: storePath, file: file) } }
        journal.end()
        return try loaded.get()
    }

    /// What the generation table needs to know about `agent` of `plugin`.
    func tableBuild(of plugin: any PluginInstance, agent: String) -> GenerationTable.Build {
        let upgrade = plugin.manifest.agents.first { $0.id == agent }?.upgrade ?? .migrate
        return GenerationTable.Build(
            agent: agent, sha256: plugin.sha256, version: plugin.manifest.version, plugin: plugin.name,
            upgrade: upgrade, loadedAt: Date()
        )
    }

    private func activate(plugin: any PluginInstance, agent: String) -> GenerationInfo {
        let activation = table.activate(tableBuild(of: plugin, agent: agent))
        let generation = activation.generation
        plugins[generation.id] = plugin
        if activation.superseded?.state == .retired { retireUnusedBuilds() }
        timeDrains()
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
        let recall = LeaseRecall()
        recalls[lease.id] = recall
        return GenerationLease(lease: lease, agent: agent, plugin: plugin, recall: recall)
    }

    /// What the active build's manifest says about `agent`; nil when none is active.
    /// - Parameters:
    ///   - agent: The agent id.
    func activeManifest(of agent: String) -> AgentManifest? {
        guard let generation = table.activeGeneration(of: agent) else { return nil }
        return plugins[generation]?.manifest.agents.first { $0.id == agent }
    }

    /// The id of `agent`'s active generation; nil when none is active.
    func activeGenerationId(of agent: String) -> Int? {
        table.activeGeneration(of: agent)
    }

    /// Gives a turn's lease back; the last turn of a draining generation retires it.
    func release(_ lease: GenerationLease) {
        recalls[lease.lease.id] = nil
        lease.recall.release()
        if table.release(lease.lease) == .retired { retireUnusedBuilds() }
    }

    /// Starts the deadline of every drain not timed yet.
    func timeDrains() {
        for drain in table.drains where !timedDrains.contains(drain) {
            timedDrains.insert(drain)
            let timeout = drainTimeout
            Task {
                try? await Task.sleep(for: timeout)
                self.drainDeadlinePassed(drain)
            }
        }
    }

    /// A drain deadline passed: the turns still on that generation are recalled
    /// (they move to the active build, or end when they cannot).
    private func drainDeadlinePassed(_ drain: GenerationTable.Drain) {
        timedDrains.remove(drain)
        let leases = table.drainDeadlinePassed(drain)
        guard !leases.isEmpty else { return }
        logger.notice("drain deadline passed; recalling its turns", metadata: [
            "generation": "\(drain.generationId)", "turns": "\(leases.count)", "timeout": "\(drainTimeout.secondsText)",
        ])
        for lease in leases { recalls[lease.id]?.recall() }
    }

    /// A turn or a tool call on `lease`'s generation overran its time limit;
    /// repeated hangs mark the generation unhealthy in `GET /api/v1/agents`.
    /// - Parameters:
    ///   - lease: The lease the turn ran on.
    ///   - what: What overran, for the log.
    func recordHang(_ lease: GenerationLease, what: String) {
        guard case .recorded(let hangs, let becameUnhealthy) = table.recordHang(generationId: lease.generationId) else { return }
        let metadata: Logger.Metadata = [
            "agent": "\(lease.agent)", "generation": "\(lease.generationId)", "hangs": "\(hangs)", "what": "\(what)",
        ]
        if becameUnhealthy {
            logger.error("generation marked unhealthy after repeated hangs", metadata: metadata)
        } else {
            logger.warning("plugin overran a time limit", metadata: metadata)
        }
    }

    /// Calls `shutdown` on every build none of whose generations can run a
    /// turn any more; a worker process then exits and its memory comes back.
    /// A rolled-back build starts again (a worker) or serves again (in-process:
    /// AgentKit's `shutdown` only cancels what runs).
    func retireUnusedBuilds() {
        let generations = table.generations
        let live = Set(generations.filter { $0.state != .retired }.map(\.sha256))
        for (id, plugin) in plugins where !live.contains(plugin.sha256) && !retiredHashes.contains(plugin.sha256) {
            retiredHashes.insert(plugin.sha256)
            let deadline = shutdownDeadline
            logger.info("build retired", metadata: ["plugin": "\(plugin.name)", "generation": "\(id)"])
            Task { await plugin.retire(deadline: deadline) }
        }
    }

    /// Whether a turn running on `lease` should move to a newer active build at
    /// its next step boundary: a newer one is active and the old build's agent
    /// did not choose to drain.
    func shouldMigrate(_ lease: GenerationLease) -> Bool {
        table.shouldMigrate(lease.lease)
    }

    /// Makes the generation activated before the current one active again.
    /// With a catalog the catalog decides (for the whole cluster when it is
    /// shared), and the restored build is activated as any decision is.
    /// - Parameters:
    ///   - agent: the agent id; `unknownAgent` without an active generation,
    ///     `conflict` when the active one is its first.
    public func rollback(agent: String) async throws(AgentHostError) -> GenerationInfo {
        if catalog != nil { return try await rollbackThroughCatalog(agent: agent) }
        switch table.rollback(agent: agent) {
        case .unknownAgent:
            throw .unknownAgent(agent)
        case .noEarlierGeneration:
            throw .conflict("agent `\(agent)` has no earlier generation to roll back to")
        case .restored(let restored, let superseded):
            if let sha256 = plugins[restored.id]?.sha256 { retiredHashes.remove(sha256) }
            if superseded.state == .retired { retireUnusedBuilds() }
            timeDrains()
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
            /// The build the catalog decided for this agent (cluster-wide on
            /// PostgreSQL); when it is not the active generation's, this daemon
            /// lacks or refused it (see `refusals`) and serves the newest it has.
            public var decidedSha256: String?
            public var generations: [GenerationInfo]
            /// The active build's tools: description, input schema, whether a call
            /// needs approval (`needsApproval`) or runs on the client (`clientSide`).
            public var tools: [ToolSpec]?
        }

        public var agents: [Agent]
        public var refusals: [PluginRefusal]
    }

    /// Every agent's generations in activation order, and the refused files.
    public func snapshot() -> Snapshot {
        let generations = table.generations.map { generation in
            var generation = generation
            if generation.state != .retired { generation.runtime = plugins[generation.id]?.runtimeInfo }
            return generation
        }
        let ids = Array(Set(generations.map(\.agent))).sorted()
        let agents = ids.map { id in
            let own = generations.filter { $0.agent == id }
            let active = own.last { $0.state == .active }?.id
            let tools = active.flatMap { generation in plugins[generation]?.manifest.agents.first(where: { $0.id == id })?.tools }
            return Snapshot.Agent(
                id: id, activeGeneration: active, decidedSha256: decisions?.decided(id), generations: own, tools: tools
            )
        }
        return Snapshot(agents: agents, refusals: refusals)
    }
}
