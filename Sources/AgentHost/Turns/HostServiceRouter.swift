import AgentWire
import CAgentABI
import Synchronization

/// Serves one turn's `call_service` requests from its plugin: `state.save`
/// writes the agent's state into the log, `model.stream` runs the host-owned
/// step loop, whose chunks go into the turn's channel.
struct HostServiceRouter: Sendable {
    let lease: GenerationLease
    let log: any TurnLog
    /// This turn's conversation in the model's terms: what a `model.stream`
    /// request that leaves out `messages` gets.
    let conversation: [ModelMessage]
    /// How many messages the turn's conversation had when it started: what
    /// `conversation.messages` returns.
    let conversationLength: Int
    /// Where a resumed turn continues; taken by the first model call only.
    let resumePoint: ResumePointSlot
    let services: TurnServices
    /// Answered tool calls are settled by the first model call of the turn only.
    let answersSettled = FirstClaim()
    /// Where the step loop reports its last step, for compaction.
    var lastStep = LastStepProbe()
    /// How much of `conversation` is the running answer, read once: every
    /// model call of the turn starts from the same `conversation`.
    let answerTail = AnswerTailSlot()

    /// Reads the session files the conversation refers to.
    var files: ModelFileResolver { ModelFileResolver(store: services.files, chatId: log.chatId) }

    /// Answers one service call; the reply is JSON text.
    /// - Parameters:
    ///   - service: The service name (`HostService`).
    ///   - request: The request JSON text.
    ///   - channel: The turn's channel, which receives the chunks.
    func serve(_ service: String, request: String, channel: TurnChannel) async throws -> String {
        switch service {
        case HostService.stateSave:
            let save = try WireCoding.decode(StateSaveRequest.self, from: request)
            let record: JSONValue = ["version": .string(lease.plugin.manifest.version), "state": save.state]
            try await log.append([LogEntry(.state, record)])
            return "{}"
        case HostService.modelStream:
            return try await streamModel(request: request, channel: channel)
        case HostService.conversationMessages:
            let messages = await log.conversation.prefix(conversationLength)
            return try WireCoding.encodeString(ConversationReply(messages: Array(messages)))
        case HostService.filesRead:
            let read = try WireCoding.decode(FileReadRequest.self, from: request)
            return try WireCoding.encodeString(try await files.read(read.url))
        case HostService.agentCall:
            return try await callAgent(request: request, channel: channel)
        case HostService.contextInject:
            return try await inject(request: request)
        case HostService.deferStart:
            return try await startDeferral(request: request)
        default:
            throw AgentHostError.badRequest("unknown host service `\(service)`")
        }
    }

    private func streamModel(request: String, channel: TurnChannel) async throws -> String {
        let lease = lease
        let agentTools = lease.agentManifest?.tools ?? []
        let streamRequest = try WireCoding.decode(ModelStreamRequest.self, from: request)
            .withTurnDefaults(agentTools: agentTools)
        guard streamRequest.maxSteps > 0 else { throw AgentHostError.badRequest("maxSteps must be at least 1") }
        let limits = services.limits
        let registry = services.registry
        let metrics = services.metrics
        let log = log
        let requestTools = streamRequest.tools
        // The manifest's declaration decides; a tool only passed in the request has the default.
        let declared: @Sendable (String) -> ToolSpec? = { name in
            agentTools.first { $0.name == name } ?? requestTools.first { $0.name == name }
        }
        let toolTimes = ToolCallTimes()
        var loop = StepLoop(
            model: try services.models.model(named: streamRequest.model),
            emit: { chunk in channel.send(chunk) },
            callTool: { call in
                await toolTimes.time(call.id, call.name) {
                    await metrics.observeToolCall(call.name) {
                        await Self.runTool(call, declared: declared(call.name), lease: lease, log: log, channel: channel, limits: limits, registry: registry)
                    }
                }
            }
        )
        loop.recordModelOutput = { callId, modelOutput in channel.recordModelOutput(toolCallId: callId, modelOutput) }
        loop.maxConcurrentToolCalls = limits.maxConcurrentToolCalls
        loop.isRetryable = { name in declared(name)?.runsAgainAfterCrash ?? false }
        loop.yieldAtStepBoundary = { await registry.shouldMigrate(lease) }
        loop.approvals = await approvals(for: streamRequest, turnId: channel.turnId)
        // Injected context first, then steered messages: both wait for this boundary.
        loop.takeSteering = { try await injectContext(into: channel) + steer(into: channel) }
        loop.contextBeforeFirstStep = { try await contextBeforeFirstStep(into: channel) }
        loop.prepareRequest = prepareMessages()
        let probe = lastStep
        let modelName = streamRequest.model
        loop.stepFinished = { input, output, request in
            probe.record(inputTokens: input, outputTokens: output, request: request, model: modelName)
        }
        let (model, generation, version) = (loop.model.identifier, lease.generationId, lease.plugin.manifest.version)
        loop.stepEnded = { report in
            channel.recordStep(TurnTimeline.stepRecord(report, model: model, generation: generation, version: version, tools: toolTimes.take()))
        }
        loop.compactBetweenSteps = compactBetweenSteps(for: streamRequest, channel: channel)
        if streamRequest.inheritsMessages, lease.agentManifest?.compaction != nil {
            loop.answerTail = await answerTail.value(from: log)
        }
        // Left-out messages: the turn's conversation, already converted. Files
        // uploaded to the session are read here, so the provider gets their bytes.
        let messages = try await files.resolve(
            streamRequest.inheritsMessages ? conversation : ModelMessage.from(streamRequest.messages)
        )
        switch try await loop.run(streamRequest, messages: messages, resumingFrom: resumePoint.take()) {
        case .finished(let result):
            return try WireCoding.encodeString(result)
        case .yieldedAtStepBoundary:
            // The turn moves to the new build. The runner learns it from the
            // channel, in order with the chunks; the old build's turn ends as
            // cancelled (its `streamText` sees this call cancelled).
            channel.yieldAtStepBoundary()
            await lease.plugin.cancelTurn(channel.turnId, reason: .upgrade)
            throw CancellationError()
        }
    }
}

/// The resume point a resumed turn continues from, handed to its first model
/// call only (later `streamText` calls in the same run start fresh steps).
final class ResumePointSlot: Sendable {
    private let value: Mutex<StepLoop.ResumePoint?>

    init(_ resumePoint: StepLoop.ResumePoint?) {
        value = Mutex(resumePoint)
    }

    func take() -> StepLoop.ResumePoint? {
        value.withLock { slot in
            defer { slot = nil }
            return slot
        }
    }
}
