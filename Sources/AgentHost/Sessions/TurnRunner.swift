import AgentWire
import CAgentABI
import Logging
import Synchronization

/// Runs one turn of one session: frames it in the log (`turn-start`, `start`,
/// …, `finish`/`abort`/`error`, `turn-complete`), leases the agent's active
/// generation, starts the plugin's turn and persists every chunk it produces.
enum TurnRunner {
    /// The session's grip on its running turn: stop it, see which generation serves it.
    final class Handle: Sendable {
        private struct State {
            var stopRequested = false
            var channel: TurnChannel?
            var plugin: LoadedPlugin?
            var generationId: Int?
        }

        private let state = Mutex(State())
        private let stopGracePeriod: Duration

        init(stopGracePeriod: Duration) {
            self.stopGracePeriod = stopGracePeriod
        }

        var generationId: Int? { state.withLock { $0.generationId } }
        var stopRequested: Bool { state.withLock { $0.stopRequested } }

        /// Cancels the plugin's turn and its model call. A plugin that does not
        /// end the turn within the grace period is not waited for.
        func stop() {
            let (channel, plugin, first) = state.withLock { state in
                defer { state.stopRequested = true }
                return (state.channel, state.plugin, !state.stopRequested)
            }
            guard first, let channel, let plugin else { return }
            Self.cancel(channel: channel, plugin: plugin, grace: stopGracePeriod)
        }

        /// Returns true when a stop arrived before the turn had a channel.
        fileprivate func attach(channel: TurnChannel, plugin: LoadedPlugin, generationId: Int) -> Bool {
            let stopped = state.withLock { state in
                state.channel = channel
                state.plugin = plugin
                state.generationId = generationId
                return state.stopRequested
            }
            if stopped { Self.cancel(channel: channel, plugin: plugin, grace: stopGracePeriod) }
            return stopped
        }

        private static func cancel(channel: TurnChannel, plugin: LoadedPlugin, grace: Duration) {
            plugin.cancelTurn(channel.turnId)
            channel.cancelServices()
            Task {
                try? await Task.sleep(for: grace)
                channel.finish(status: AGENT_ERR_CANCELLED, result: "the agent did not end the stopped turn in time")
            }
        }
    }

    /// How the turn begins: a new input, or a turn that was cut off and resumes
    /// from what its log records hold.
    enum Origin: Sendable {
        case input(inSeq: Int64)
        /// The input was committed together with its `turn-start` and `start`
        /// records (an idle session answering at once): they are already written.
        case framedInput(inSeq: Int64)
        case interrupted(TurnProgress)
    }

    static func start(
        session: Session, origin: Origin, services: SessionServices,
        handle: Handle? = nil
    ) -> Handle {
        let handle = handle ?? Handle(stopGracePeriod: services.stopGracePeriod)
        Task {
            await run(session: session, handle: handle, origin: origin, services: services)
        }
        return handle
    }

    private static func run(session: Session, handle: Handle, origin: Origin, services: SessionServices) async {
        let chatId = session.chatId
        do {
            try await session.turnWillRun()
            let inSeq: Int64
            var checkpoint: TurnProgress?
            switch origin {
            case .framedInput(let seq):
                inSeq = seq
            case .input(let seq):
                inSeq = seq
                try await session.append(framing(chatId: chatId, inSeq: seq))
            case .interrupted(let progress):
                inSeq = progress.inSeq
                checkpoint = progress
                try await session.append([ControlPart.interrupted(inSeq: inSeq).chunk.json], kind: .control)
                if !progress.started {
                    try await session.append([UIChunk.start(messageId: messageId(chatId: chatId, inSeq: inSeq)).json], kind: .output)
                }
            }
            let ending: [UIChunk]
            if let checkpoint, checkpoint.responseEnded {
                ending = []
            } else if let checkpoint, checkpoint.stopRequested {
                ending = [.abort]
            } else {
                ending = try await drive(session: session, handle: handle, inSeq: inSeq, checkpoint: checkpoint, services: services)
            }
            try await session.append(
                ending.map { (.output, $0.json) } + [(.control, ControlPart.turnComplete(inSeq: inSeq).chunk.json)]
            )
        } catch {
            // Only storage failures get here; the turn cannot be recorded.
            services.logger.error("turn failed to persist", metadata: ["chatId": "\(chatId)", "error": "\(error)"])
        }
        await session.turnDidEnd()
    }

    /// The records that open a turn: `data-turn-start`, then the response's `start`.
    static func framing(chatId: String, inSeq: Int64) -> [(kind: LogRecord.Kind, chunk: JSONValue)] {
        [
            (.control, ControlPart.turnStart(inSeq: inSeq).chunk.json),
            (.output, UIChunk.start(messageId: messageId(chatId: chatId, inSeq: inSeq)).json),
        ]
    }

    static func messageId(chatId: String, inSeq: Int64) -> String {
        "msg-\(inSeq)-\(chatId)"
    }

    /// Runs the plugin's turn; returns the chunks that close the response. When
    /// a new build goes live, the turn moves to it at a step boundary and this
    /// loop runs it there, from the checkpoint the log holds.
    private static func drive(
        session: Session, handle: Handle, inSeq: Int64, checkpoint: TurnProgress?, services: SessionServices
    ) async throws -> [UIChunk] {
        var checkpoint = checkpoint
        var stepOpen = checkpoint?.stepOpen ?? false
        while true {
            let lease: GenerationLease
            do {
                lease = try await services.registry.lease(agent: session.agent)
            } catch {
                return [.error(errorText: error.description)] + (stepOpen ? [.finishStep] : []) + [.finish(finishReason: .error)]
            }
            let attempt: Attempt
            do {
                attempt = try await runOnGeneration(
                    lease: lease, session: session, handle: handle, checkpoint: checkpoint, stepOpen: &stepOpen, services: services
                )
            } catch {
                handle.stop()
                await services.registry.release(lease)
                throw error
            }
            await services.registry.release(lease)

            if attempt.migrated, !handle.stopRequested {
                let target = try await services.registry.lease(agent: session.agent)
                await services.registry.release(target)
                let upgraded = ControlPart.upgraded(
                    inSeq: inSeq, fromGeneration: lease.generationId, toGeneration: target.generationId,
                    version: target.plugin.manifest.version
                )
                try await session.append([upgraded.chunk.json], kind: .control)
                services.logger.info("turn moved to a new build", metadata: [
                    "chatId": "\(session.chatId)", "from": "\(lease.generationId)", "to": "\(target.generationId)",
                ])
                checkpoint = await session.turnProgress
                continue
            }
            if handle.stopRequested || attempt.status == AGENT_ERR_CANCELLED {
                return [.abort]
            }
            if attempt.status == AGENT_OK {
                let result = try? WireCoding.decode(TurnResult.self, from: attempt.result)
                return [.finish(finishReason: result?.finishReason ?? .stop)]
            }
            services.logger.warning("turn failed", metadata: ["chatId": "\(session.chatId)", "error": "\(attempt.result)"])
            return [.error(errorText: attempt.result)] + (stepOpen ? [.finishStep] : []) + [.finish(finishReason: .error)]
        }
    }

    private struct Attempt {
        var status: agent_status
        var result: String
        var migrated: Bool
    }

    /// One plugin turn on one generation: start it, persist what it streams,
    /// return how it ended.
    private static func runOnGeneration(
        lease: GenerationLease, session: Session, handle: Handle, checkpoint: TurnProgress?, stepOpen: inout Bool,
        services: SessionServices
    ) async throws -> Attempt {
        let checkpointSlot = CheckpointSlot(checkpoint)
        let conversation = await session.conversation
        let channel = services.turns.open { channel, service, request in
            try await serve(
                service: service, request: request, conversation: conversation, channel: channel, lease: lease,
                checkpoint: checkpointSlot, session: session, services: services
            )
        }
        defer { services.turns.close(channel.turnId) }
        _ = handle.attach(channel: channel, plugin: lease.plugin, generationId: lease.generationId)

        let saved = await session.agentState
        let request = TurnRequest(
            turnId: channel.turnId, agent: session.agent, chatId: session.chatId, messages: conversation,
            state: saved?.state, stateVersion: saved?.version, resumed: checkpoint != nil
        )
        let started = lease.plugin.startTurn(request)
        guard started == AGENT_OK else {
            return Attempt(
                status: started, result: "agent `\(session.agent)` refused to start the turn (status \(started.rawValue))",
                migrated: false
            )
        }
        var outcome = Attempt(status: AGENT_ERR_INTERNAL, result: "the agent ended without finishing the turn", migrated: false)
        var finished = false
        while !finished {
            let batch = await channel.nextBatch()
            if batch.isEmpty { break }
            var chunks: [JSONValue] = []
            for event in batch {
                switch event {
                case .chunk(let chunk):
                    switch chunk {
                    case .startStep: stepOpen = true
                    case .finishStep: stepOpen = false
                    default: break
                    }
                    chunks.append(chunk.json)
                case .finished(let status, let result):
                    outcome.status = status
                    outcome.result = result
                    finished = true
                }
            }
            try await session.append(chunks, kind: .output)
        }
        outcome.migrated = channel.migrationRequested
        return outcome
    }

    private static func serve(
        service: String, request: String, conversation: [UIMessage], channel: TurnChannel, lease: GenerationLease,
        checkpoint: CheckpointSlot, session: Session, services: SessionServices
    ) async throws -> String {
        if service == HostService.stateSave {
            let save = try WireCoding.decode(StateSaveRequest.self, from: request)
            let record: JSONValue = ["version": .string(lease.plugin.manifest.version), "state": save.state]
            try await session.append([record], kind: .state)
            return "{}"
        }
        guard service == HostService.modelStream else {
            throw AgentHostError.badRequest("unknown host service `\(service)`")
        }
        let agentTools = lease.plugin.manifest.agents.first { $0.id == lease.agent }?.tools ?? []
        let streamRequest = try WireCoding.decode(ModelStreamRequest.self, from: request)
            .withTurnDefaults(conversation: conversation, agentTools: agentTools)
        guard streamRequest.maxSteps > 0 else { throw AgentHostError.badRequest("maxSteps must be at least 1") }
        var loop = StepLoop(
            model: try services.models.model(named: streamRequest.model),
            emit: { chunk in channel.send(chunk) },
            callTool: { name, input in
                let (status, reply) = await lease.plugin.callTool(
                    turnId: channel.turnId, ToolCallRequest(agent: lease.agent, tool: name, input: input)
                )
                guard status == AGENT_OK else { return .failure(.init(message: reply)) }
                guard let output = try? WireCoding.decode(JSONValue.self, from: reply) else {
                    return .failure(.init(message: "tool `\(name)` returned invalid JSON"))
                }
                return .success(output)
            }
        )
        loop.yieldAtStepBoundary = { await services.registry.shouldMigrate(lease) }
        do {
            return try WireCoding.encodeString(try await loop.run(streamRequest, resumingFrom: checkpoint.take()))
        } catch is StepLoop.StepBoundaryYield {
            // The old build's turn ends here (its streamText sees a cancellation);
            // the runner continues the turn on the new build.
            channel.requestMigration()
            lease.plugin.cancelTurn(channel.turnId)
            throw CancellationError()
        }
    }
}

/// The checkpoint a resumed turn continues from, handed to its first model call
/// only (later `streamText` calls in the same run start fresh steps).
final class CheckpointSlot: Sendable {
    private let value: Mutex<TurnProgress?>

    init(_ checkpoint: TurnProgress?) {
        value = Mutex(checkpoint)
    }

    func take() -> TurnProgress? {
        value.withLock { slot in
            defer { slot = nil }
            return slot
        }
    }
}
