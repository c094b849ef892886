import Crypto
import Foundation
import Logging

/// The registry with a `BuildCatalog`: which build of each agent is active is
/// decided there, not by the order builds happen to load in, so the decision
/// survives a restart (a rollback included) and, on a shared catalog, every
/// daemon of the cluster makes the same build active.
///
/// A new build is published (bytes included, on a shared catalog) and its
/// agents recorded before it may become active; it is then added to the table
/// and each agent's target (`BuildDecisions.target`) is made active. A build
/// the catalog decided but this daemon lacks is fetched from a shared catalog
/// and loaded like a dropped file; one it refuses leaves the current
/// generation serving, and the refusal shows in `GET /api/v1/agents`.
extension PluginRegistry {
    /// Publishes a freshly loaded build and records its agents.
    /// - Returns: What the catalog decides now; nil without a catalog, or when
    ///   it failed (logged): the build then becomes active here as it would without one.
    func record(_ file: VerifiedPluginFile, plugin: any PluginInstance) async -> BuildDecisions? {
        guard let catalog else { return nil }
        let build = CatalogBuild(
            sha256: file.sha256, fileName: (file.sourcePath as NSString).lastPathComponent,
            bytes: catalog is any SharedBuildCatalog ? file.bytes : nil
        )
        do {
            try await catalog.publish(build, agents: plugin.manifest.agents.map(\.id))
            let decisions = try await catalog.buildDecisions()
            self.decisions = decisions
            return decisions
        } catch {
            logger.error("cannot record the build in the catalog; it becomes active on this daemon only", metadata: [
                "plugin": "\(plugin.name)", "sha256": "\(file.sha256.prefix(12))", "error": "\(error)",
            ])
            return nil
        }
    }

    /// Adds every agent of a new build to the table, inactive, then makes each
    /// agent's decided build active.
    /// - Returns: The build's generations, in their states after the decision.
    func add(_ plugin: any PluginInstance, as decisions: BuildDecisions) -> [GenerationInfo] {
        var ids: [Int] = []
        for agent in plugin.manifest.agents {
            let generation = table.addInactive(tableBuild(of: plugin, agent: agent.id))
            plugins[generation.id] = plugin
            ids.append(generation.id)
        }
        // A build that stays inactive is shut down by `apply` like any retired one.
        apply(decisions, agents: plugin.manifest.agents.map(\.id))
        let generations = table.generations.filter { ids.contains($0.id) }
        for generation in generations {
            logger.notice("agent loaded", metadata: [
                "agent": "\(generation.agent)", "generation": "\(generation.id)", "version": "\(generation.version)",
                "sha256": "\(generation.sha256.prefix(12))", "state": "\(generation.state.rawValue)",
            ])
        }
        return generations
    }

    /// Makes each agent's target build active: the decided one, or the most
    /// recently decided one loaded here.
    /// - Parameters:
    ///   - decisions: What the catalog says.
    ///   - agents: The agents to look at.
    func apply(_ decisions: BuildDecisions, agents: some Sequence<String>) {
        for agent in agents {
            guard let sha256 = decisions.target(for: agent, loaded: table.builds(of: agent)),
                  let id = table.generation(of: agent, sha256: sha256),
                  case .activated(let generation, let superseded) = table.makeActive(generationId: id)
            else { continue }
            retiredHashes.remove(sha256)
            logger.notice("agent activated", metadata: [
                "agent": "\(agent)", "generation": "\(generation.id)", "sha256": "\(sha256.prefix(12))",
                "superseded": "\(superseded.map { "\($0.generationId)" } ?? "none")",
            ])
        }
        retireUnusedBuilds()
        timeDrains()
    }

    /// Reads the catalog again and acts on it: fetches and loads the decided
    /// builds (and builds no daemon has loaded yet) a shared catalog holds and
    /// this daemon lacks, activates every agent's target, and logs each agent
    /// whose decided build is not served here. Syncs run one at a time.
    public func syncWithCatalog() async {
        guard catalog != nil else { return }
        let previous = syncQueue
        let sync = Task {
            await previous?.value
            await self.performSync()
        }
        syncQueue = sync
        await sync.value
    }

    private func performSync() async {
        guard let catalog else { return }
        do {
            var decisions = try await catalog.buildDecisions()
            if let shared = catalog as? any SharedBuildCatalog {
                let wanted = decisions.wanted(excluding: loadedHashes.union(refusedFetches))
                for sha256 in wanted { await fetch(sha256, from: shared) }
                if !wanted.isEmpty { decisions = try await catalog.buildDecisions() }
            }
            self.decisions = decisions
            apply(decisions, agents: decisions.order.keys)
            reportDrift(decisions)
        } catch {
            logger.error("cannot read the build catalog; the active builds stay as they are", metadata: ["error": "\(error)"])
        }
    }

    /// Writes a published build to the fetch directory under its deployed file
    /// name and loads it from there, as the drop directory's files are: verified,
    /// copied to the store, loaded from the store only.
    private func fetch(_ sha256: String, from catalog: any SharedBuildCatalog) async {
        guard let fetchDirectory else { return }
        let fileName: String
        let bytes: [UInt8]
        do {
            guard let found = try await catalog.build(sha256: sha256), let foundBytes = found.bytes else { return }
            (fileName, bytes) = (found.fileName, foundBytes)
        } catch {
            logger.error("cannot fetch a published build", metadata: ["sha256": "\(sha256.prefix(12))", "error": "\(error)"])
            return
        }
        // Checked before any of it runs: bytes filed under another build's hash are never loaded.
        guard SHA256.hash(data: bytes).lowercaseHex == sha256 else {
            refusedFetches.insert(sha256)
            logger.error("a published build's bytes do not match its hash; not loaded", metadata: ["sha256": "\(sha256)"])
            return
        }
        // A folder per build: two builds published under one file name never meet.
        let folder = "\(fetchDirectory)/\(sha256)"
        let name = PluginWatcher.isCandidate(fileName) ? fileName : "\(PluginFileVerifier.pluginName(fromFile: fileName)).so"
        let path = "\(folder)/\(name)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            logger.error("cannot create the fetch folder", metadata: ["path": "\(folder)", "error": "\(error)"])
            return
        }
        if let problem = DurableFile.write(bytes, to: path, mode: 0o600) {
            logger.error("cannot write a fetched build", metadata: ["path": "\(path)", "error": "\(problem)"])
            return
        }
        logger.info("fetched a published build", metadata: ["file": "\(name)", "sha256": "\(sha256.prefix(12))"])
        if case .failure = await load(path: path) {
            // Refused on this machine (logged and listed by `load`): the current generation keeps serving.
            refusedFetches.insert(sha256)
        }
    }

    /// Logs, once per agent and build, an agent whose decided build this daemon does not serve.
    private func reportDrift(_ decisions: BuildDecisions) {
        for (agent, builds) in decisions.order.sorted(by: { $0.key < $1.key }) {
            guard let decided = builds.first else { continue }
            let served = table.activeGeneration(of: agent).flatMap { id in table.generations.first { $0.id == id }?.sha256 }
            guard served != decided, reportedDrift.insert("\(agent) \(decided)").inserted else { continue }
            logger.warning("the decided build of an agent is missing or refused here; serving the newest one that loaded", metadata: [
                "agent": "\(agent)", "decided": "\(decided.prefix(12))", "serving": "\(served.map { String($0.prefix(12)) } ?? "none")",
            ])
        }
    }

    /// A rollback decided by the catalog: among the builds loaded here on a
    /// daemon of its own, among every published one on a shared catalog (the
    /// restored build is fetched if this daemon lacks it).
    func rollbackThroughCatalog(agent: String) async throws(AgentHostError) -> GenerationInfo {
        guard let catalog else { throw .internalError("no build catalog") }
        let available: Set<String>? = catalog is any SharedBuildCatalog ? nil : table.builds(of: agent)
        let rollback: BuildDecisions.Rollback
        do {
            rollback = try await catalog.rollback(agent: agent, among: available)
        } catch {
            throw .storageUnavailable("cannot record the rollback: \(error)")
        }
        switch rollback {
        case .unknownAgent:
            throw .unknownAgent(agent)
        case .noEarlierBuild:
            throw .conflict("agent `\(agent)` has no earlier generation to roll back to")
        case .restored(_, let sha256, let superseded):
            logger.notice("rolled back", metadata: [
                "agent": "\(agent)", "sha256": "\(sha256.prefix(12))", "superseded": "\(superseded.prefix(12))",
            ])
            await syncWithCatalog()
            guard let active = table.activeGeneration(of: agent), let generation = table.generations.first(where: { $0.id == active })
            else { throw .unknownAgent(agent) }
            return generation
        }
    }
}
