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

    static func start(session: Session, inSeq: Int64, input: InputRecord, services: SessionServices) -> Handle {
        let handle = Handle(stopGracePeriod: services.stopGracePeriod)
        Task {
            await run(session: session, handle: handle, inSeq: inSeq, services: services)
        }
        return handle
    }

    private static func run(session: Session, handle: Handle, inSeq: Int64, services: SessionServices) async {
        let chatId = session.chatId
        do {
            try await session.turnWillRun()
            try await session.append([ControlPart.turnStart(inSeq: inSeq).json], kind: .control)
            try await session.append([UIChunk.start(messageId: "msg-\(inSeq)-\(chatId)").json], kind: .output)
            let ending = try await drive(session: session, handle: handle, services: services)
            try await session.append(ending.map(\.json), kind: .output)
            try await session.append([ControlPart.turnComplete(inSeq: inSeq).json], kind: .control)
        } catch {
            // Only storage failures get here; the turn cannot be recorded.
            services.logger.error("turn failed to persist", metadata: ["chatId": "\(chatId)", "error": "\(error)"])
        }
        await session.turnDidEnd()
    }

    /// Runs the plugin's turn; returns the chunks that close the response.
    private static func drive(session: Session, handle: Handle, services: SessionServices) async throws -> [UIChunk] {
        let lease: GenerationLease
        do {
            lease = try await services.registry.lease(agent: session.agent)
        } catch {
            return [.error(errorText: error.description), .finish(finishReason: .error)]
        }
        let conversation = await session.conversation
        let channel = services.turns.open { channel, service, request in
            try await serve(
                service: service, request: request, conversation: conversation, channel: channel, lease: lease,
                services: services
            )
        }
        defer { services.turns.close(channel.turnId) }
        _ = handle.attach(channel: channel, plugin: lease.plugin, generationId: lease.generationId)

        let request = TurnRequest(
            turnId: channel.turnId, agent: session.agent, chatId: session.chatId, messages: conversation
        )
        let started = lease.plugin.startTurn(request)
        guard started == AGENT_OK else {
            await services.registry.release(lease)
            return [.error(errorText: "agent `\(session.agent)` refused to start the turn (status \(started.rawValue))"),
                    .finish(finishReason: .error)]
        }

        var stepOpen = false
        var outcome: (status: agent_status, result: String) = (AGENT_ERR_INTERNAL, "the agent ended without finishing the turn")
        do {
            for await event in channel.events {
                switch event {
                case .chunk(let chunk):
                    switch chunk["type"]?.stringValue {
                    case "start-step": stepOpen = true
                    case "finish-step": stepOpen = false
                    default: break
                    }
                    try await session.append([chunk], kind: .output)
                case .finished(let status, let result):
                    outcome = (status, result)
                }
                if case .finished = event { break }
            }
        } catch {
            handle.stop()
            await services.registry.release(lease)
            throw error
        }
        await services.registry.release(lease)

        if handle.stopRequested || outcome.status == AGENT_ERR_CANCELLED {
            return [.abort]
        }
        if outcome.status == AGENT_OK {
            let result = try? WireCoding.decode(TurnResult.self, from: outcome.result)
            let reason = result?.finishReason.flatMap(FinishReason.init(rawValue:)) ?? .stop
            return [.finish(finishReason: reason)]
        }
        services.logger.warning("turn failed", metadata: ["chatId": "\(session.chatId)", "error": "\(outcome.result)"])
        return [.error(errorText: outcome.result)] + (stepOpen ? [.finishStep] : []) + [.finish(finishReason: .error)]
    }

    private static func serve(
        service: String, request: String, conversation: [UIMessage], channel: TurnChannel, lease: GenerationLease,
        services: SessionServices
    ) async throws -> String {
        guard service == HostService.modelStream else {
            throw AgentHostError.badRequest("unknown host service `\(service)`")
        }
        let agentTools = lease.plugin.manifest.agents.first { $0.id == lease.agent }?.tools ?? []
        let streamRequest = try WireCoding.decode(ModelStreamRequest.self, from: request)
            .withTurnDefaults(conversation: conversation, agentTools: agentTools)
        guard streamRequest.maxSteps > 0 else { throw AgentHostError.badRequest("maxSteps must be at least 1") }
        let loop = StepLoop(
            model: try services.models.model(named: streamRequest.model),
            emit: { chunk in channel.send(chunk.json) },
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
        return try WireCoding.encodeString(try await loop.run(streamRequest))
    }
}
