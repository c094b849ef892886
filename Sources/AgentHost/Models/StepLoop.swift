import AgentWire

/// The host-owned `streamText`: one streamed model request per step, tool calls
/// run through the plugin and fed back, until the model stops or the step
/// limit is reached. Every chunk goes to `emit`, which persists it before any
/// client sees it.
struct StepLoop: Sendable {
    let model: any LanguageModel
    let emit: @Sendable (UIChunk) async throws -> Void
    /// Runs a tool call; `.failure` carries the text for `tool-output-error`.
    let callTool: @Sendable (_ call: ModelToolCall) async -> Result<ToolOutput, ToolFailure>
    /// Records the compact form a tool gave the model (`toModelOutput`) for the
    /// call, before its output chunk: later turns send the model this form again.
    var recordModelOutput: @Sendable (_ toolCallId: String, _ modelOutput: JSONValue) async throws -> Void = { _, _ in }
    /// How many calls of one step run at the same time; their outputs are
    /// streamed in call order whatever order they end in.
    var maxConcurrentToolCalls = 4
    /// Asked between steps: true ends the loop there so the turn can continue on
    /// a new build of the agent (hot redeploy).
    var yieldAtStepBoundary: @Sendable () async -> Bool = { false }
    /// Which calls wait for a person, and the answers to settle first (StepLoop+Approvals).
    var approvals = Approvals.none
    /// Asked at every step boundary that has a step after it: messages steered
    /// into the running turn, already recorded in order with the chunks; the
    /// next step's request ends with them (DESIGN §2).
    var takeSteering: @Sendable () async throws -> [ModelMessage] = { [] }
    /// Told after every step what the step's request cost in input and output
    /// tokens (as reported, or estimated when the model reports none) and which request it was.
    var stepFinished: @Sendable (_ inputTokens: Int, _ outputTokens: Int, _ request: ModelRequest) -> Void = { _, _, _ in }
    /// Told what each step did, right before its `finish-step`: the turn
    /// timeline's record of it (`TurnTimeline`).
    var stepEnded: @Sendable (StepReport) -> Void = { _ in }
    /// How many of the last messages the loop starts with are the running
    /// turn's answer so far (a resumed or continued answer); nil: the loop
    /// does not know where the answer starts, and never compacts between steps.
    var answerTail: Int?
    /// Asked at every step boundary that has a step after it, after steering
    /// (HostServiceRouter+Compaction): the summary that replaces
    /// `messages[..<answerStart]` — the conversation before the running answer
    /// — for the next steps, or nil to go on as is. The answer so far (its tool
    /// calls with their results) stays whole after it.
    var compactBetweenSteps: @Sendable (_ messages: [ModelMessage], _ answerStart: Int) async -> ModelMessage? = { _, _ in nil }
    /// Asked once before the first step (not when a cut-off step is retried:
    /// its prefix must stay last): injected context, which goes before the
    /// user message the turn answers, or at the end when the turn continues an answer.
    var contextBeforeFirstStep: @Sendable () async throws -> [ModelMessage] = { [] }
    /// Applied to every step's request right before the model gets it (the
    /// agent's `prepareMessages`, told why the request is made); the loop's own
    /// conversation stays as it is.
    var prepareRequest: @Sendable (ModelRequest, PromptReason) async throws -> ModelRequest = { request, _ in request }
    /// Whether a tool is safe to run again after a crash cut a call of it off
    /// (its manifest's `retryable`, or a tool that delegates to an agent).
    var isRetryable: @Sendable (_ toolName: String) -> Bool = { _ in false }

    struct ToolFailure: Error, Sendable {
        let message: String
    }

    /// What a tool returned: the output the UI shows and, when the tool has a
    /// compact form for the model (`toModelOutput`), that form.
    struct ToolOutput: Sendable, Hashable {
        var output: JSONValue
        var modelOutput: JSONValue?

        init(_ output: JSONValue, modelOutput: JSONValue? = nil) {
            self.output = output
            self.modelOutput = modelOutput
        }
    }

    /// What one step did, as `stepEnded` hears it.
    struct StepReport: Sendable, Hashable {
        /// The step's number in the turn, from 1.
        var step: Int
        /// From the step's start to its end, its tool calls included.
        var duration: Duration
        var inputTokens: Int
        var outputTokens: Int
        /// True when the model reported the tokens; false when they are estimated
        /// (or, for a step finished from the log after a crash, unknown: 0).
        var tokensReported: Bool
        var finishReason: FinishReason
    }

    /// How a run of the loop ended.
    enum Outcome: Sendable {
        /// The model stopped, or the step limit was reached.
        case finished(ModelStreamResult)
        /// `yieldAtStepBoundary` asked to stop after a completed step: the turn
        /// goes on elsewhere (a new build), from what the log holds.
        case yieldedAtStepBoundary(stepsCompleted: Int)
    }

    /// Where a turn that was cut off continues: the loop's own view of a checkpoint.
    struct ResumePoint: Sendable, Hashable {
        /// Steps that reached `finish-step`; numbering goes on after them.
        var stepsCompleted: Int
        /// The step that was streaming when the turn was cut off, if any.
        var openStep: OpenStep?
        /// Calls of the turn that started and have no output: cut off while they ran.
        var unfinishedStarts: Set<String> = []
    }

    /// A step that was cut off mid-stream and is being retried.
    struct OpenStep: Sendable, Hashable {
        /// The text or reasoning part still open; the retry goes on in it.
        var textId: String?
        var reasoningId: String?
        /// Text streamed so far in the step; sent back so the answer continues.
        var prefix: String
        /// The step's tool calls as recorded. Once its model stream had ended
        /// (`streamEnded`), the step is finished from these instead of asked again.
        var toolCalls: [RecordedToolCall] = []
    }

    /// Runs steps until the model stops or the turn's step limit is reached.
    /// `checkpoint` continues a turn that was cut off: step numbering goes on, and
    /// a step that was open is retried inside the same step and text part, with
    /// the text already streamed sent back so the answer continues where it stopped.
    /// - Parameters:
    ///   - request: The plugin's request: model, system prompt, step limit, tools.
    ///   - messages: The conversation, already converted; nil converts `request.messages`.
    ///   - resumePoint: Where a turn that was cut off continues.
    func run(
        _ request: ModelStreamRequest, messages: [ModelMessage]? = nil, resumingFrom resumePoint: ResumePoint? = nil
    ) async throws -> Outcome {
        precondition(request.maxSteps > 0, "the plugin SDK guarantees at least one step")
        var messages = messages ?? ModelMessage.from(request.messages)
        var allText = ""
        var finishReason = FinishReason.stop
        var usage: ModelUsage?
        var step = resumePoint?.stepsCompleted ?? 0
        var openStep = resumePoint?.openStep
        // Where the running answer starts in `messages`: what a compaction between steps keeps.
        var answerStart = answerTail.map { max(0, messages.count - $0) }
        var reason = PromptReason.run
        messages += try await settleAnsweredCalls(cutOff: resumePoint?.unfinishedStarts ?? [])
        if openStep == nil {
            // Before any step, the context goes ahead of the message the turn
            // answers, where the history places it (MessageHistory+ContextInjection).
            let context = try await contextBeforeFirstStep()
            if step == 0, case .user? = messages.last {
                let position = messages.count - 1
                messages.insert(contentsOf: context, at: position)
                if let start = answerStart, position < start { answerStart = start + context.count }
            } else {
                messages += context
            }
        }
        while step < request.maxSteps {
            step += 1
            let stepStarted = ContinuousClock.now
            var tokens = (input: 0, output: 0, reported: false)
            let outcome: StepOutcome
            if let open = openStep, Self.streamEnded(open.toolCalls) {
                // Its tools were running when it was cut off: it is finished from
                // the log, without the model (StepLoop+Recovery).
                outcome = try await finishCutOffStep(open, messages: &messages)
            } else {
                var stepRequest = ModelRequest(system: request.system, messages: messages, tools: request.tools)
                if let open = openStep {
                    // The answer so far is the history's last, text-only assistant message.
                    // It goes to the model as the step's prefix (Anthropic prefill), not as
                    // history, and becomes part of this step's text.
                    if !open.prefix.isEmpty, case .assistant(_, let calls, _)? = messages.last, calls.isEmpty {
                        messages.removeLast()
                        stepRequest.messages = messages
                    }
                    stepRequest.assistantPrefix = open.prefix.isEmpty ? nil : open.prefix
                } else {
                    try await emit(.startStep)
                }
                stepRequest = try await prepareRequest(stepRequest, reason)
                let traced = stepRequest
                outcome = try await HostTracing.withSpan(HostTracing.step) { [step, openStep] span in
                    span.attributes["agent.step"] = step
                    return try await runStep(number: step, request: traced, continuing: openStep)
                }
                tokens = (
                    outcome.usage?.inputTokens ?? stepRequest.estimatedInputTokens,
                    outcome.usage?.outputTokens ?? ModelRequest.tokens(forCharacters: outcome.text.count), outcome.usage != nil
                )
                stepFinished(tokens.input, tokens.output, stepRequest)
            }
            openStep = nil
            allText += outcome.text
            finishReason = outcome.finishReason
            usage = ModelUsage.combine(usage, outcome.usage)
            stepEnded(StepReport(
                step: step, duration: ContinuousClock.now - stepStarted, inputTokens: tokens.input, outputTokens: tokens.output,
                tokensReported: tokens.reported, finishReason: outcome.finishReason
            ))
            try await emit(.finishStep)
            // Some OpenAI-compatible servers end a tool call with `stop`: the calls decide.
            guard !outcome.toolCalls.isEmpty else { break }
            if outcome.awaitsAnswer {
                // A call waits for a person: the turn ends here, the answer continues it.
                finishReason = .toolCalls
                break
            }
            if step < request.maxSteps, await yieldAtStepBoundary() {
                try await record(usage)
                return .yieldedAtStepBoundary(stepsCompleted: step)
            }
            messages.append(.assistant(text: outcome.text, toolCalls: outcome.toolCalls, reasoning: outcome.reasoning))
            messages.append(contentsOf: outcome.toolResults)
            if step < request.maxSteps {
                messages += try await takeSteering()
                if let start = answerStart, start > 0, start <= messages.count,
                   let summary = await compactBetweenSteps(messages, start) {
                    // The summary, then the answer so far: its calls and their results stay together.
                    messages = [summary] + messages[start...]
                    answerStart = 1
                    reason = .compactionRebuild
                }
            }
        }
        try await record(usage)
        return .finished(ModelStreamResult(text: allText, finishReason: finishReason, steps: step, usage: usage))
    }

    /// Usage is recorded with the turn: in the log, and on the assistant
    /// message's metadata (`message.metadata.usage`) for the client.
    private func record(_ usage: ModelUsage?) async throws {
        if let usage { try await emit(.messageMetadata(["usage": usage.json])) }
    }

    struct StepOutcome {
        var text = ""
        var finishReason = FinishReason.stop
        var usage: ModelUsage?
        var reasoning: [ModelReasoning] = []
        var toolCalls: [ModelToolCall] = []
        var toolResults: [ModelMessage] = []
        /// A call of this step waits for a person (approval or client output).
        var awaitsAnswer = false
    }

    private func runStep(number: Int, request: ModelRequest, continuing open: OpenStep?) async throws -> StepOutcome {
        var outcome = StepOutcome()
        // A retried step goes on in the part that was open when it was cut off.
        outcome.text = open?.prefix ?? ""
        var parts = StepParts(step: number, emit: emit, openTextId: open?.textId, openReasoningId: open?.reasoningId)
        do {
            for try await event in model.stream(request) {
                try Task.checkCancellation()
                switch event {
                case .textDelta(let delta):
                    try await parts.text(delta)
                    outcome.text += delta
                case .reasoningDelta(let delta):
                    try await parts.reasoning(delta)
                case .reasoningEnd(let signature):
                    // With thinking display omitted a block is only its signature.
                    let text = try await parts.endReasoning()
                    if text != nil || signature != nil {
                        outcome.reasoning.append(ModelReasoning(text: text ?? "", signature: signature))
                    }
                case .reasoningRedacted(let data):
                    outcome.reasoning.append(ModelReasoning(text: "", redactedData: data))
                case .toolInputStart(let id, let name):
                    try await parts.toolInputStart(id: id, name: name)
                case .toolInputDelta(let id, let delta):
                    try await parts.toolInputDelta(id: id, delta: delta)
                case .toolCall(let id, let name, let input):
                    try await parts.toolCall(id: id, name: name, input: input)
                    outcome.toolCalls.append(ModelToolCall(id: id, name: name, input: input))
                case .usage(let usage):
                    outcome.usage = ModelUsage.combine(outcome.usage, usage)
                case .finish(let reason):
                    outcome.finishReason = reason
                }
            }
            try Task.checkCancellation()
        } catch {
            // A failed step leaves the stream tidy for the turn's `error`: no part
            // stays open. A stopped one ends in `abort`, which closes nothing.
            if !(error is CancellationError), !Task.isCancelled { try await parts.closeOpen() }
            throw error
        }
        try await parts.closeOpen()
        // Server-executed tool results belong to the step that called the tool.
        let (results, awaitsAnswer) = try await runCalls(outcome.toolCalls)
        outcome.toolResults = results
        outcome.awaitsAnswer = awaitsAnswer
        return outcome
    }
}

extension ModelUsage {
    var json: JSONValue {
        var fields: [String: JSONValue] = [
            "inputTokens": .number(Double(inputTokens)),
            "outputTokens": .number(Double(outputTokens)),
            "totalTokens": .number(Double(totalTokens)),
        ]
        if let cachedInputTokens { fields["cachedInputTokens"] = .number(Double(cachedInputTokens)) }
        return .object(fields)
    }
}
