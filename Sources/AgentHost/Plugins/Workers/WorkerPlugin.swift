import AgentWire
import CAgentABI
import Foundation
import Logging
import Synchronization

/// A build that runs in worker processes: the daemon's stand-in for its
/// plugin, and the supervisor of the worker that runs it. A worker that dies
/// is replaced on the next call; the turns it ran resume from their checkpoints.
final class WorkerPlugin: PluginInstance {
    let name: String
    let sha256: String
    let storePath: String
    let manifest: PluginManifest
    /// The build has `call_hook` (its first worker's `hello` said so).
    let hasHooks: Bool
    private let launch: WorkerLaunch

    private struct State {
        var current: WorkerProcess?
        /// A worker being started, which concurrent callers wait for together.
        var starting: Task<Result<WorkerProcess, WorkerFailure>, Never>?
        var crashes = 0
    }

    private let state = Mutex(State())

    var isolation: PluginIsolation { .worker }

    private init(name: String, sha256: String, storePath: String, manifest: PluginManifest, hasHooks: Bool, launch: WorkerLaunch) {
        self.hasHooks = hasHooks
        self.name = name
        self.sha256 = sha256
        self.storePath = storePath
        self.manifest = manifest
        self.launch = launch
    }

    /// Loads a verified build in a first worker; its handshake is the load.
    /// - Parameters:
    ///   - storePath: The store copy of `file`.
    ///   - file: The verified file, whose checks the daemon made.
    ///   - launch: How workers start.
    static func load(storePath: String, file: VerifiedPluginFile, launch: WorkerLaunch) async throws(PluginRefusal) -> WorkerPlugin {
        func refuse(_ reason: String) -> PluginRefusal {
            PluginRefusal(file: (file.sourcePath as NSString).lastPathComponent, reason: reason, sha256: file.sha256)
        }
        let holder = Mutex<WorkerPlugin?>(nil)
        let started = await WorkerProcess.start(launch: launch, storePath: storePath, name: file.name, sha256: file.sha256) {
            worker, crashed, reason in
            holder.withLock { $0 }?.workerEnded(worker, crashed: crashed, reason: reason)
        }
        switch started {
        case .failure(let reason):
            throw refuse(reason.description)
        case .success(let (worker, manifestText)):
            do {
                let (manifest, _) = try PluginLoader.checkManifest(manifestText, file: file)
                let plugin = WorkerPlugin(
                    name: file.name, sha256: file.sha256, storePath: storePath, manifest: manifest, hasHooks: worker.hasHooks,
                    launch: launch
                )
                plugin.state.withLock { $0.current = worker }
                holder.withLock { $0 = plugin }
                plugin.watchMemory(of: worker)
                return plugin
            } catch let refusal {
                worker.kill(reason: "its build was refused")
                throw refusal
            }
        }
    }

    var runtimeInfo: GenerationRuntimeInfo {
        let (current, crashes) = state.withLock { ($0.current, $0.crashes) }
        return GenerationRuntimeInfo(
            isolation: .worker, workerPid: current?.pid, workerCrashes: crashes, workerMemoryBytes: current?.residentBytes
        )
    }

    func startTurn(_ request: TurnRequest) async -> agent_status {
        guard let json = try? WireCoding.encodeString(request) else { return AGENT_ERR_INVALID }
        // A worker that ends between being handed out and taking the turn
        // answers busy; the turn then goes to the fresh one started in its place.
        for _ in 0..<2 {
            switch await worker() {
            case .success(let worker):
                let status = await worker.startTurn(turnId: request.turnId, json: json)
                if status == AGENT_ERR_BUSY, worker.hasEnded { continue }
                return status
            case .failure(let reason):
                launch.logger.error("cannot start a worker", metadata: ["plugin": "\(name)", "reason": "\(reason)"])
                return AGENT_ERR_INTERNAL
            }
        }
        return AGENT_ERR_BUSY
    }

    func cancelTurn(_ turnId: UInt64, reason: CancelReason) async {
        state.withLock { $0.current }?.cancelTurn(turnId, reasonJSON: hasHooks ? Self.cancelEvent(reason) : nil)
    }

    private static func cancelEvent(_ reason: CancelReason) -> String? {
        try? WireCoding.encodeString(HookEvent.cancel(reason))
    }

    /// A hook runs in the live worker, started if there is none (a session
    /// leaving memory may be the first thing a new worker hears of).
    func callHook(turnId: UInt64, json: String) async -> (agent_status, String) {
        switch await worker() {
        case .success(let worker): return await worker.callHook(turnId: turnId, json: json)
        case .failure(let reason): return (AGENT_ERR_INTERNAL, "cannot start the agent's worker: \(reason)")
        }
    }

    /// A worker is killed when it still runs the abandoned turn after `grace`:
    /// its `start_turn` never returned, or it never finished the turn though
    /// cancelled. Such a plugin holds a thread (often a core) of the worker
    /// for good, and a worker is the unit the host can take back; killing it
    /// costs its other turns an interruption (they resume from their
    /// checkpoints on a fresh worker), not their answers. The abandoned turn is
    /// not resumed: its channel is closed by then, so the loss finds no one.
    /// A plugin that ends the cancelled turn in time keeps its worker.
    func abandonTurn(_ turnId: UInt64, grace: Duration) {
        guard let worker = state.withLock({ $0.current }) else { return }
        worker.cancelTurn(turnId, reasonJSON: hasHooks ? Self.cancelEvent(.timeout) : nil)
        Task.detached(priority: .utility) { [name, logger = launch.logger] in
            try? await Task.sleep(for: grace)
            guard worker.runs(turnId) else { return }
            logger.error("killing a worker that still runs a turn past its time limit", metadata: [
                "plugin": "\(name)", "pid": "\(worker.pid)", "turnId": "\(turnId)",
            ])
            worker.kill(reason: "still ran a turn past its time limit")
        }
    }

    func callTool(turnId: UInt64, _ request: ToolCallRequest) async -> (agent_status, String) {
        guard let json = try? WireCoding.encodeString(request) else { return (AGENT_ERR_INVALID, "cannot encode the call") }
        // Tools run in the worker that runs the turn; a worker started since does not know it.
        guard let worker = state.withLock({ $0.current }), !worker.hasEnded else {
            return (AGENT_ERR_INTERNAL, "the agent's worker process is gone")
        }
        return await worker.callTool(turnId: turnId, json: json)
    }

    func retire(deadline: Duration) async {
        guard let worker = state.withLock({ state -> WorkerProcess? in
            defer { state.current = nil }
            return state.current
        }) else { return }
        await worker.shutdown(deadline: deadline)
        launch.logger.info("worker retired", metadata: ["plugin": "\(name)", "pid": "\(worker.pid)"])
    }

    /// The live worker, started if there is none.
    private func worker() async -> Result<WorkerProcess, WorkerFailure> {
        let task = state.withLock { state -> Task<Result<WorkerProcess, WorkerFailure>, Never> in
            if let current = state.current, !current.hasEnded { return Task { .success(current) } }
            if let starting = state.starting { return starting }
            let starting = Task { await self.startWorker() }
            state.starting = starting
            return starting
        }
        return await task.value
    }

    private func startWorker() async -> Result<WorkerProcess, WorkerFailure> {
        let started = await WorkerProcess.start(launch: launch, storePath: storePath, name: name, sha256: sha256) {
            [weak self] worker, crashed, reason in
            self?.workerEnded(worker, crashed: crashed, reason: reason)
        }
        let result = started.map { worker, _ in worker }
        state.withLock { state in
            state.starting = nil
            if case .success(let worker) = result { state.current = worker }
        }
        if case .success(let worker) = result {
            launch.logger.info("worker started", metadata: ["plugin": "\(name)", "pid": "\(worker.pid)"])
            watchMemory(of: worker)
        }
        return result
    }

    private func workerEnded(_ worker: WorkerProcess, crashed: Bool, reason: String) {
        state.withLock { state in
            if state.current === worker { state.current = nil }
            if crashed { state.crashes += 1 }
        }
        if crashed {
            launch.logger.error(
                "agent worker died", metadata: ["plugin": "\(name)", "pid": "\(worker.pid)", "reason": "\(reason)"]
            )
        }
    }

    /// Kills `worker` when its resident memory passes the limit: a leak
    /// becomes a clean kill and a retry, not a daemon the kernel kills.
    private func watchMemory(of worker: WorkerProcess) {
        guard let limit = launch.memoryLimitBytes else { return }
        Task.detached(priority: .utility) {
            while !worker.hasEnded {
                if let resident = worker.residentBytes, resident > limit {
                    worker.kill(reason: "exceeded its memory limit of \(limit / (1024 * 1024)) MiB")
                    return
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}
