import AgentWire
import CAgentABI
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One running worker process, seen from the daemon: its socket, the calls
/// waiting for it, and the turns it runs. When it dies, every waiting call is
/// answered and every turn it ran is reported lost — nothing waits forever.
final class WorkerProcess: Sendable {
    let pid: pid_t
    private let connection: WorkerConnection
    private let turns: any HostTurnCallbacks
    private let logger: Logger

    private struct State {
        var liveTurns: Set<UInt64> = []
        /// Why the daemon killed it, when it did: named instead of the bare signal.
        var killReason: String?
        /// Set once the process is reaped: how it ended.
        var ended: String?
        var shuttingDown = false
        /// The plugin has `call_hook`, as its `hello` said.
        var hasHooks = false
    }

    private let state = Mutex(State())
    private let handshakeReply = ReplyTable<Result<String, WorkerFailure>>()
    private let starts = ReplyTable<agent_status>()
    private let tools = ReplyTable<(agent_status, String)>()
    private let shutdowns = ReplyTable<Void>()
    private let hooks = ReplyTable<(agent_status, String)>()

    private init(pid: pid_t, socket: Int32, turns: any HostTurnCallbacks, logger: Logger) {
        self.pid = pid
        self.connection = WorkerConnection(fd: socket)
        self.turns = turns
        self.logger = logger
    }

    /// Starts a worker for one build and waits for its handshake.
    /// - Parameters:
    ///   - launch: How workers start.
    ///   - storePath: The verified store copy the worker loads.
    ///   - name: The plugin's name.
    ///   - sha256: The build's hash.
    ///   - ended: Called once, on the reader thread, after the process is reaped.
    /// - Returns: The running worker and the manifest JSON it reported, or why it failed.
    static func start(
        launch: WorkerLaunch, storePath: String, name: String, sha256: String,
        ended: @escaping @Sendable (WorkerProcess, _ crashed: Bool, _ reason: String) -> Void
    ) async -> Result<(WorkerProcess, String), WorkerFailure> {
        let spawned: (pid: pid_t, socket: Int32)
        do {
            spawned = try WorkerSpawn.start(
                executable: launch.executable,
                arguments: ["worker", "--plugin", storePath, "--name", name, "--sha256", sha256]
            )
        } catch {
            return .failure(error)
        }
        let worker = WorkerProcess(pid: spawned.pid, socket: spawned.socket, turns: launch.turns, logger: launch.logger)
        let timer = Task {
            guard (try? await Task.sleep(for: launch.handshakeTimeout)) != nil else { return }
            worker.kill(reason: "did not finish loading within \(launch.handshakeTimeout)")
        }
        defer { timer.cancel() }
        let reply = await worker.handshakeReply.await(0) {
            worker.connection.startReading(
                name: "worker-\(spawned.pid)", received: { worker.received($0) },
                closed: { reason in worker.closed(reason, ended: ended) }
            )
            return nil
        }
        switch reply {
        case .success(let manifest):
            return .success((worker, manifest))
        case .failure(let reason):
            worker.kill(reason: "failed its handshake")
            return .failure(reason)
        }
    }

    /// Whether the process is gone (reaped).
    var hasEnded: Bool { state.withLock { $0.ended != nil } }

    /// Turns this worker runs right now.
    var liveTurnCount: Int { state.withLock { $0.liveTurns.count } }

    /// Whether the turn is still running here: its `start_turn` has not
    /// returned an error and its `finish_turn` has not come.
    func runs(_ turnId: UInt64) -> Bool {
        state.withLock { $0.liveTurns.contains(turnId) }
    }

    var residentBytes: Int? { hasEnded ? nil : WorkerSpawn.residentBytes(pid) }

    /// `start_turn` in the worker. A worker that dies meanwhile reports the
    /// turn lost (AGENT_OK here, `turnLost` on the turn), so the runner resumes it.
    func startTurn(turnId: UInt64, json: String) async -> agent_status {
        let accepted = state.withLock { state -> Bool in
            guard state.ended == nil, !state.shuttingDown else { return false }
            state.liveTurns.insert(turnId)
            return true
        }
        guard accepted else { return AGENT_ERR_BUSY }
        return await starts.await(turnId) {
            send(WorkerFrame(.startTurn, turnId: turnId, text: json)) ? nil : AGENT_OK
        }
    }

    /// `cancel_turn` in the worker, the `cancelTurn` event `reasonJSON` passed to `call_hook` just before it.
    func cancelTurn(_ turnId: UInt64, reasonJSON: String?) {
        send(WorkerFrame(.cancelTurn, turnId: turnId, text: reasonJSON ?? ""))
    }

    /// Whether the plugin has `call_hook`, as its `hello` said.
    var hasHooks: Bool { state.withLock { $0.hasHooks } }

    func callHook(turnId: UInt64, json: String) async -> (agent_status, String) {
        let callId = hooks.makeId()
        return await hooks.await(callId) {
            send(WorkerFrame(.callHook, turnId: turnId, callId: callId, text: json))
                ? nil : (AGENT_ERR_INTERNAL, "the agent's worker process is gone")
        }
    }

    func callTool(turnId: UInt64, json: String) async -> (agent_status, String) {
        let callId = tools.makeId()
        return await tools.await(callId) {
            send(WorkerFrame(.callTool, turnId: turnId, callId: callId, text: json))
                ? nil : (AGENT_ERR_INTERNAL, "the agent's worker process is gone")
        }
    }

    /// Asks the worker to run the plugin's `shutdown` and exit; kills it at `deadline`.
    func shutdown(deadline: Duration) async {
        state.withLock { $0.shuttingDown = true }
        let timer = Task {
            guard (try? await Task.sleep(for: deadline)) != nil else { return }
            self.kill(reason: "did not shut down within \(deadline)")
        }
        await shutdowns.await(0) { send(WorkerFrame(.shutdown)) ? nil : () }
        timer.cancel()
        kill(reason: "retired")
    }

    /// Ends the process; its reader then sees end-of-file and cleans up.
    func kill(reason: String) {
        let alive = state.withLock { state -> Bool in
            guard state.ended == nil else { return false }
            if state.killReason == nil { state.killReason = reason }
            return true
        }
        guard alive else { return }
        Glibc.kill(pid, SIGKILL)
        connection.shutdown()
    }

    @discardableResult
    private func send(_ frame: WorkerFrame) -> Bool {
        if connection.send(frame) { return true }
        kill(reason: "stopped reading its socket")
        return false
    }

    private func received(_ frame: WorkerFrame) {
        let status = agent_status(rawValue: frame.status)
        switch frame.kind {
        case .hello:
            state.withLock { $0.hasHooks = frame.status & WorkerFrame.helloHasHooks != 0 }
            handshakeReply.resume(0, with: .success(frame.text))
        case .refused:
            handshakeReply.resume(0, with: .failure(WorkerFailure(frame.text)))
        case .turnStarted:
            if status != AGENT_OK { _ = state.withLock { $0.liveTurns.remove(frame.turnId) } }
            starts.resume(frame.turnId, with: status)
        case .emit:
            // Never trust a worker: it runs plugin code. The same rule as in-process.
            guard let chunk = UIChunk(pluginEmitted: frame.text) else {
                logger.warning("worker sent a chunk a plugin may not write; dropped", metadata: ["pid": "\(pid)"])
                return
            }
            _ = turns.emit(turnId: frame.turnId, chunk: chunk)
        case .callService:
            let (service, request) = frame.serviceCall
            let callId = frame.callId
            let accepted = turns.callService(turnId: frame.turnId, service: service, request: request) { status, reply in
                self.send(WorkerFrame(.serviceDone, status: status.rawValue, callId: callId, text: reply))
            }
            if !accepted {
                send(WorkerFrame(.serviceDone, status: AGENT_ERR_CANCELLED.rawValue, callId: callId, text: "the turn is over"))
            }
        case .finishTurn:
            _ = state.withLock { $0.liveTurns.remove(frame.turnId) }
            turns.finishTurn(turnId: frame.turnId, status: status, result: frame.text)
        case .toolDone:
            if !tools.resume(frame.callId, with: (status, frame.text)) {
                logger.warning("plugin completed a tool call that was already answered; ignored", metadata: ["pid": "\(pid)"])
            }
        case .shutdownDone:
            shutdowns.resume(0, with: ())
        case .hookDone:
            if !hooks.resume(frame.callId, with: (status, frame.text)) {
                logger.warning("plugin completed a hook that was already answered; ignored", metadata: ["pid": "\(pid)"])
            }
        case .startTurn, .cancelTurn, .callTool, .serviceDone, .shutdown, .callHook:
            logger.warning("worker sent a daemon-only frame; dropped", metadata: ["pid": "\(pid)", "kind": "\(frame.kind)"])
        }
    }

    private func closed(_ streamEnd: String, ended: @Sendable (WorkerProcess, Bool, String) -> Void) {
        connection.shutdown()
        let exit = WorkerSpawn.reap(pid)
        let (lost, reason, expected) = state.withLock { state -> (Set<UInt64>, String, Bool) in
            let reason = state.killReason.map { "\($0) (\(exit))" } ?? exit
            state.ended = reason
            defer { state.liveTurns.removeAll() }
            return (state.liveTurns, reason, state.shuttingDown)
        }
        // Turns first: their channels close, so nothing a waiting call does
        // once answered below (a step loop seeing its tool fail) reaches the log.
        for turnId in lost {
            turns.turnLost(turnId: turnId, reason: "the agent's worker process \(reason)")
        }
        handshakeReply.resumeAll(with: .failure(WorkerFailure("the worker \(reason) while loading the plugin")))
        starts.resumeAll(with: AGENT_OK)
        tools.resumeAll(with: (AGENT_ERR_INTERNAL, "the agent's worker process \(reason)"))
        hooks.resumeAll(with: (AGENT_ERR_INTERNAL, "the agent's worker process \(reason)"))
        shutdowns.resumeAll(with: ())
        ended(self, !expected || !lost.isEmpty, reason)
    }
}

/// How the daemon starts workers; the same for every build.
struct WorkerLaunch: Sendable {
    /// The `agent-host` binary.
    var executable: String
    var turns: any HostTurnCallbacks
    var logger: Logger
    /// A worker that has not reported its manifest by then is killed and its build refused.
    var handshakeTimeout: Duration = .seconds(30)
    /// A worker whose resident memory grows past this is killed; its turns resume on a fresh one.
    var memoryLimitBytes: Int?
}
