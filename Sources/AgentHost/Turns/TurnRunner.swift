import AgentWire
import CAgentABI
import Logging
import Tracing

/// Runs one turn of one session: frames it in the log (`turn-start`, `start`,
/// …, `finish`/`abort`/`error`, `turn-complete`), leases the agent's active
/// generation, starts the plugin's turn and persists every chunk it produces.
enum TurnRunner {
    /// How the turn begins: a new input, or a turn that was cut off and resumes
    /// from what its log records hold.
    enum Origin: Sendable, Hashable {
        /// Answer input `inSeq`: write its opening records, then run.
        case input(inSeq: Int64)
        /// The input was committed together with its `turn-start` and `start`
        /// records (an idle session answering at once): they are already written.
        case framedInput(inSeq: Int64)
        /// Resume a turn that was cut off, from its checkpoint.
        case interrupted(TurnCheckpoint)

        var inSeq: Int64 {
            switch self {
            case .input(let inSeq), .framedInput(let inSeq): inSeq
            case .interrupted(let checkpoint): checkpoint.inSeq
            }
        }
    }

    /// Starts the turn in a task of its own; `handle` is the session's grip on it.
    static func start(log: any TurnLog, origin: Origin, services: TurnServices, handle: TurnHandle) {
        Task {
            await run(log: log, handle: handle, origin: origin, services: services)
        }
    }

    /// The records that open a turn: `data-turn-start`, then the response's `start`.
    /// `messageId`: the answer the turn continues (after tool approvals); nil: a new one.
    static func framing(chatId: String, inSeq: Int64, messageId: String? = nil) -> [LogEntry] {
        let id = messageId ?? Self.messageId(chatId: chatId, inSeq: inSeq)
        return [.control(.turnStart(inSeq: inSeq)), .output(.start(messageId: id))]
    }

    static func messageId(chatId: String, inSeq: Int64) -> String {
        "msg-\(inSeq)-\(chatId)"
    }

    private static func run(log: any TurnLog, handle: TurnHandle, origin: Origin, services: TurnServices) async {
        do {
            try await log.turnWillRun()
            // An action holds the turn slot while its handler runs; it becomes a
            // turn only when the handler asks for one (its framing is then written).
            if let action = await log.pendingAction(inSeq: origin.inSeq) {
                if try await handleAction(action, log: log, inSeq: origin.inSeq, services: services) {
                    try await observed(log: log, handle: handle, services: services) {
                        try await answer(log: log, handle: handle, origin: .framedInput(inSeq: origin.inSeq), services: services)
                    }
                }
            } else {
                try await observed(log: log, handle: handle, services: services) {
                    try await answer(log: log, handle: handle, origin: origin, services: services)
                }
            }
        } catch AgentHostError.storageUnavailable(let problem) {
            // Storage refuses the turn's records: the plugin's turn stops (if it
            // runs), and the session resumes the turn from what the log holds
            // once storage takes writes again.
            handle.stop()
            services.logger.error("turn cut off: its records could not be stored", metadata: [
                "chatId": "\(log.chatId)", "error": "\(problem)",
            ])
            await log.turnCutOff(by: AgentHostError.storageUnavailable(problem))
            return
        } catch {
            // Only storage failures get here; the turn cannot be recorded.
            services.logger.error("turn failed to persist", metadata: ["chatId": "\(log.chatId)", "error": "\(error)"])
        }
        // A queued turn starts from here: it is no part of this turn's trace (nor of its request's).
        await ServiceContext.withValue(nil) { await log.turnDidEnd() }
    }

    /// The turn from its opening records to `data-turn-complete`.
    private static func answer(log: any TurnLog, handle: TurnHandle, origin: Origin, services: TurnServices) async throws {
        let inSeq = origin.inSeq
        var checkpoint: TurnCheckpoint?
        switch origin {
        case .framedInput:
            break
        case .input:
            let messageId = await log.responseMessageId(inSeq: inSeq)
            try await log.append(framing(chatId: log.chatId, inSeq: inSeq, messageId: messageId))
        case .interrupted(let progress):
            checkpoint = progress
            var entries: [LogEntry] = [.control(.interrupted(inSeq: inSeq))]
            if !progress.started { entries.append(.output(.start(messageId: messageId(chatId: log.chatId, inSeq: inSeq)))) }
            try await log.append(entries)
            // This cut-off counts too: the budget is spent by the crashes so far.
            checkpoint?.interruptions += 1
        }
        let context = await log.turnContext
        let ending: [UIChunk]
        if let checkpoint, checkpoint.responseEnded {
            ending = []
        } else if let checkpoint, checkpoint.stopRequested {
            ending = [.abort]
        } else if let checkpoint, let exhausted = budgetExhausted(checkpoint, services: services) {
            // Start-up never resumes a turn past its budget: it may be what killed the daemon.
            ending = failure(exhausted, stepOpen: checkpoint.stepOpen)
        } else {
            ending = try await runHooked(log: log, handle: handle, inSeq: inSeq, checkpoint: checkpoint, context: context, services: services)
        }
        if let observation = TurnObservation.current { observation.closing(with: ending, checkpoint: await log.turnSummary.checkpoint) }
        try await complete(log: log, inSeq: inSeq, ending: ending, context: context, services: services, lastStep: handle.lastStep)
    }

    /// Runs the plugin's turn; returns the chunks that close the response. When
    /// a new build goes live, the turn moves to it at a step boundary (or, at
    /// the old build's drain deadline, wherever it is) and this loop runs it
    /// there, from the checkpoint the log holds.
    static func drive(
        log: any TurnLog, handle: TurnHandle, inSeq: Int64, checkpoint: TurnCheckpoint?, context: TurnContext, services: TurnServices
    ) async throws -> [UIChunk] {
        var checkpoint = checkpoint
        // Why `run` runs, attempt by attempt: the input's reason, then why it runs again.
        var attempt = context
        if checkpoint != nil { attempt.reason = .resumed }
        var stepOpen = checkpoint?.stepOpen ?? false
        // Like the time limit, the output limit counts across moves and lost workers.
        var streamed = 0
        // The time limit counts from here, across moves and lost workers: a
        // plugin that keeps losing its worker does not get a fresh limit each time.
        let began = ContinuousClock.now
        while true {
            let lease: GenerationLease
            do {
                lease = try await services.registry.lease(agent: log.agent)
            } catch {
                return failure(error.description, stepOpen: stepOpen)
            }
            let end: AttemptEnd
            do {
                end = try await runOnGeneration(
                    lease: lease, log: log, handle: handle, checkpoint: checkpoint, context: attempt, began: began,
                    stepOpen: &stepOpen, streamed: &streamed, services: services
                )
            } catch {
                handle.stop()
                await services.registry.release(lease)
                throw error
            }
            await services.registry.release(lease)

            switch end {
            case .movedToNewBuild where !handle.stopRequested:
                let target = try await services.registry.lease(agent: log.agent)
                await services.registry.release(target)
                let upgraded = ControlPart.upgraded(
                    inSeq: inSeq, fromGeneration: lease.generationId, toGeneration: target.generationId,
                    version: target.plugin.manifest.version
                )
                try await log.append([.control(upgraded)])
                services.logger.info("turn moved to a new build", metadata: [
                    "chatId": "\(log.chatId)", "from": "\(lease.generationId)", "to": "\(target.generationId)",
                ])
                checkpoint = await log.checkpoint
                attempt.reason = .upgraded
            case .movedToNewBuild:
                return [.abort]
            case .lost:
                // Its worker died; stop or not, what the log holds is what was said.
                if handle.stopRequested { return [.abort] }
                try await log.append([.control(.interrupted(inSeq: inSeq))])
                checkpoint = await log.checkpoint
                if let checkpoint, let exhausted = budgetExhausted(checkpoint, services: services) {
                    return failure(exhausted, stepOpen: checkpoint.stepOpen)
                }
                stepOpen = checkpoint?.stepOpen ?? false
                attempt.reason = .resumed
            case .timedOut(let limit):
                return failure(
                    "agent `\(log.agent)` did not finish this turn within its time limit of \(limit.secondsText), "
                        + "so it was ended. Send a new message to continue.",
                    stepOpen: stepOpen
                )
            case .outputLimited:
                return failure(services.limits.outputLimitText(agent: log.agent), stepOpen: stepOpen)
            case .recalled where handle.stopRequested:
                return [.abort]
            case .recalled:
                // The agent chose to finish turns on the build they started on,
                // and that build may not run any longer.
                return failure(
                    "agent `\(log.agent)` was replaced by a new build while this turn ran on version "
                        + "\(lease.plugin.manifest.version), which finishes its turns where they started; the turn "
                        + "did not finish before that version's drain deadline, so it was ended. Send a new message to continue.",
                    stepOpen: stepOpen
                )
            case .finished(let status, _) where handle.stopRequested || status == AGENT_ERR_CANCELLED:
                return [.abort]
            case .finished(AGENT_OK, let result):
                let reason = (try? WireCoding.decode(TurnResult.self, from: result))?.finishReason
                return [.finish(finishReason: reason ?? .stop)]
            case .finished(_, let result):
                services.logger.warning("turn failed", metadata: ["chatId": "\(log.chatId)", "error": "\(result)"])
                return failure(result, stepOpen: stepOpen)
            }
        }
    }

    /// The error text that ends a turn cut off once too often, or nil while it
    /// may still resume. `interruptions` includes the cut-off being handled.
    private static func budgetExhausted(_ checkpoint: TurnCheckpoint, services: TurnServices) -> String? {
        guard checkpoint.interruptions >= services.recoveryBudget else { return nil }
        return "This turn was interrupted \(checkpoint.interruptions) times (its agent crashed, or the daemon stopped, "
            + "while it ran) and is not resumed again. Send a new message to continue."
    }

    /// The chunks that end a failed response: the error, the open step closed, `finish`.
    static func failure(_ errorText: String, stepOpen: Bool) -> [UIChunk] {
        [.error(errorText: errorText)] + (stepOpen ? [.finishStep] : []) + [.finish(finishReason: .error)]
    }

    /// How one plugin turn on one generation ended.
    private enum AttemptEnd {
        /// The plugin's `finish_turn` (or the runner's stand-in when it never came).
        case finished(status: agent_status, result: String)
        /// The step loop yielded at a step boundary: the turn goes on on the newest build.
        case movedToNewBuild
        /// The worker process running the turn died; the turn resumes from its checkpoint.
        case lost(reason: String)
        /// The turn ran past its time limit; its plugin was cancelled and left behind.
        case timedOut(limit: Duration)
        /// The turn streamed as many chunks as one turn may; its plugin was cancelled.
        case outputLimited
        /// The build drained past its deadline and the agent's turns may not
        /// move (`upgrade: .drain`): the turn ends.
        case recalled
    }

    /// One plugin turn on one generation: start it, persist what it streams,
    /// return how it ended — or, when the turn overruns its time limit or the
    /// generation its drain deadline, cut it there.
    private static func runOnGeneration(
        lease: GenerationLease, log: any TurnLog, handle: TurnHandle, checkpoint: TurnCheckpoint?, context: TurnContext,
        began: ContinuousClock.Instant, stepOpen: inout Bool, streamed: inout Int, services: TurnServices
    ) async throws -> AttemptEnd {
        // A plugin that fetches messages on request gets the newest one only:
        // nothing of the past is copied or encoded for a turn that does not read it.
        let messages: [UIMessage]
        let omitted: Int
        if lease.plugin.manifest.messagesOnRequest == true {
            let end = await log.conversationEnd
            messages = end.newest.map { [$0] } ?? []
            omitted = end.count - messages.count
        } else {
            messages = await log.conversation
            omitted = 0
        }
        let router = HostServiceRouter(
            lease: lease, log: log, conversation: await log.modelConversation, conversationLength: omitted + messages.count,
            resumePoint: ResumePointSlot(checkpoint?.resumePoint), services: services, lastStep: handle.lastStep
        )
        let channel = services.turns.open(serve: carryingTraceContext { channel, service, request in
            try await router.serve(service, request: request, channel: channel)
        })
        defer { services.turns.close(channel.turnId) }
        defer { channel.closeForRunner() }
        handle.attach(channel: channel, plugin: lease.plugin, generationId: lease.generationId)

        let saved = await log.agentState
        var request = TurnRequest(
            turnId: channel.turnId, agent: log.agent, chatId: log.chatId, messages: messages,
            state: saved?.state, stateVersion: saved?.version, resumed: checkpoint != nil,
            omittedMessages: omitted > 0 ? omitted : nil
        )
        request.clientData = context.clientData
        request.reason = context.reason
        request.turnNumber = context.number
        request.messageId = context.messageId
        request.totalUsage = context.usageBefore
        // `start_turn` may never return (a plugin that loops in it): the runner
        // does not wait for it. A refusal ends the turn through the channel,
        // like any other end, and so can the limits below while it hangs.
        let plugin = lease.plugin
        let agent = log.agent
        Task {
            let started = await plugin.startTurn(request)
            guard started != AGENT_OK else { return }
            channel.finish(status: started, result: "agent `\(agent)` refused to start the turn (status \(started.rawValue))")
        }
        let limit = services.limits.turnLimit(for: lease.agentManifest)
        let timer = Task {
            guard (try? await Task.sleep(until: began + limit, clock: .continuous)) != nil else { return }
            channel.cut(.timedOut(limit: limit))
        }
        defer { timer.cancel() }
        lease.recall.onRecall { channel.cut(.drainDeadline) }

        var end = AttemptEnd.finished(status: AGENT_ERR_INTERNAL, result: "the agent ended without finishing the turn")
        var moving = false
        var cut: TurnCut?
        var overLimit = false
        while true {
            let batch = await channel.nextBatch()
            if batch.isEmpty { break }
            var entries: [LogEntry] = []
            // Tool calls waiting for their start record to be durable before they run.
            var starting: [CheckedContinuation<Bool, Never>] = []
            for event in batch {
                switch event {
                case .chunk(let chunk):
                    // Past the limit nothing more is kept; the cut ends the turn.
                    guard streamed < services.limits.maxTurnOutputChunks else {
                        if !overLimit { channel.cut(.outputLimit) }
                        overLimit = true
                        continue
                    }
                    streamed += 1
                    TurnObservation.current?.persisted(chunk)
                    switch chunk {
                    case .startStep: stepOpen = true
                    case .finishStep: stepOpen = false
                    default: break
                    }
                    entries.append(.output(chunk))
                case .yieldedAtStepBoundary:
                    moving = true
                case .finished(let status, let result):
                    end = .finished(status: status, result: result)
                case .lost(let reason):
                    services.logger.warning("turn lost with its worker", metadata: ["chatId": "\(log.chatId)", "reason": "\(reason)"])
                    end = .lost(reason: reason)
                case .cut(let reason):
                    cut = reason
                case .modelOutput(let callId, let output):
                    entries.append(.toolModelOutput(toolCallId: callId, output))
                case .stepRecord(let record):
                    entries.append(LogEntry(.state, record))
                case .control(let part):
                    entries.append(.control(part))
                case .toolCallStarted(let callId, let persisted):
                    entries.append(.toolCallStarted(toolCallId: callId))
                    starting.append(persisted)
                }
            }
            do {
                if !entries.isEmpty { try await log.append(entries) }
            } catch {
                for persisted in starting { persisted.resume(returning: false) }
                throw error
            }
            for persisted in starting { persisted.resume(returning: true) }
        }
        // The plugin may have finished in the batch that passed the limit: the turn still lost its tail.
        if overLimit, cut == nil { cut = .outputLimit }
        switch cut {
        case .timedOut(let limit)?:
            services.logger.warning("turn overran its time limit; ended", metadata: [
                "chatId": "\(log.chatId)", "agent": "\(log.agent)", "limit": "\(limit.secondsText)",
            ])
            plugin.abandonTurn(channel.turnId, grace: services.stopGracePeriod)
            await services.registry.recordHang(lease, what: "turn")
            return .timedOut(limit: limit)
        case .outputLimit?:
            services.logger.warning("turn streamed past its output limit; ended", metadata: [
                "chatId": "\(log.chatId)", "agent": "\(log.agent)", "chunks": "\(streamed)",
            ])
            plugin.abandonTurn(channel.turnId, grace: services.stopGracePeriod)
            return .outputLimited
        case .drainDeadline?:
            // What was persisted is the checkpoint: the turn continues from it
            // on the active build, a step cut mid-stream included (as after a crash).
            let recalled = lease.agentManifest?.upgrade == .drain
            await plugin.cancelTurn(channel.turnId, reason: recalled ? .drain : .upgrade)
            return recalled ? .recalled : .movedToNewBuild
        case nil:
            return moving ? .movedToNewBuild : end
        }
    }
}
