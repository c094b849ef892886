import AgentWire

/// The host-owned `streamText`: one streamed model request per step, tool calls
/// run through the plugin and fed back, until the model stops or the step
/// limit is reached. Every chunk goes to `emit`, which persists it before any
/// client sees it.
struct StepLoop: Sendable {
    let model: any LanguageModel
    let emit: @Sendable (UIChunk) async throws -> Void
    /// Runs a tool; `.failure` carries the text for `tool-output-error`.
    let callTool: @Sendable (_ name: String, _ input: JSONValue) async -> Result<JSONValue, ToolFailure>
    /// Asked between steps: true ends the loop there so the turn can continue on
    /// a new build of the agent (hot redeploy).
    var yieldAtStepBoundary: @Sendable () async -> Bool = { false }

    /// Thrown after a completed step when `yieldAtStepBoundary` said so.
    struct StepBoundaryYield: Error {}

    struct ToolFailure: Error, Sendable {
        let message: String
    }

    /// Runs steps until the model stops or the turn's step limit is reached.
    /// `checkpoint` continues a turn that was cut off: step numbering goes on, and
    /// a step that was open is retried inside the same step and text part, with
    /// the text already streamed sent back so the answer continues where it stopped.
    func run(_ request: ModelStreamRequest, resumingFrom checkpoint: TurnProgress? = nil) async throws -> ModelStreamResult {
        precondition(request.maxSteps > 0, "the plugin SDK guarantees at least one step")
        var messages = ModelMessage.from(request.messages)
        var allText = ""
        var finishReason = FinishReason.stop
        var step = checkpoint?.stepsCompleted ?? 0
        var openStep = checkpoint.flatMap { $0.stepOpen ? OpenStep(progress: $0) : nil }
        while step < request.maxSteps {
            step += 1
            if openStep == nil { try await emit(.startStep) }
            let outcome = try await runStep(
                number: step,
                request: ModelRequest(system: request.system, messages: messages, tools: request.tools),
                continuing: openStep
            )
            openStep = nil
            allText += outcome.text
            finishReason = outcome.finishReason
            try await emit(.finishStep)
            guard finishReason == .toolCalls, !outcome.toolCalls.isEmpty else { break }
            if step < request.maxSteps, await yieldAtStepBoundary() { throw StepBoundaryYield() }
            if case .assistant(let prefix, let calls)? = messages.last, calls.isEmpty, !prefix.isEmpty {
                messages.removeLast()  // the retried step's prefix is part of this step's text now
            }
            messages.append(.assistant(text: outcome.text, toolCalls: outcome.toolCalls))
            messages.append(contentsOf: outcome.toolResults)
        }
        return ModelStreamResult(text: allText, finishReason: finishReason.rawValue, steps: step)
    }

    /// A step that was cut off mid-stream and is being retried.
    struct OpenStep {
        var textId: String?
        var reasoningId: String?
        var prefix: String

        init(progress: TurnProgress) {
            textId = progress.openTextId
            reasoningId = progress.openReasoningId
            prefix = progress.partialStepText
        }
    }

    private struct StepOutcome {
        var text = ""
        var finishReason = FinishReason.stop
        var toolCalls: [ModelToolCall] = []
        var toolResults: [ModelMessage] = []
    }

    private func runStep(number: Int, request: ModelRequest, continuing open: OpenStep?) async throws -> StepOutcome {
        var outcome = StepOutcome()
        outcome.text = open?.prefix ?? ""
        let textId = open?.textId ?? "text-\(number)"
        let reasoningId = open?.reasoningId ?? "reasoning-\(number)"
        var textOpen = open?.textId != nil
        var reasoningOpen = open?.reasoningId != nil
        for try await event in model.stream(request) {
            try Task.checkCancellation()
            switch event {
            case .textDelta(let delta):
                if !textOpen {
                    textOpen = true
                    try await emit(.textStart(id: textId))
                }
                outcome.text += delta
                try await emit(.textDelta(id: textId, delta: delta))
            case .reasoningDelta(let delta):
                if !reasoningOpen {
                    reasoningOpen = true
                    try await emit(.reasoningStart(id: reasoningId))
                }
                try await emit(.reasoningDelta(id: reasoningId, delta: delta))
            case .toolCall(let id, let name, let input):
                let inputText = (try? WireCoding.encodeString(input)) ?? "{}"
                try await emit(.toolInputStart(toolCallId: id, toolName: name))
                try await emit(.toolInputDelta(toolCallId: id, inputTextDelta: inputText))
                try await emit(.toolInputAvailable(toolCallId: id, toolName: name, input: input))
                outcome.toolCalls.append(ModelToolCall(id: id, name: name, input: input))
            case .finish(let reason):
                outcome.finishReason = reason
            }
        }
        if reasoningOpen { try await emit(.reasoningEnd(id: reasoningId)) }
        if textOpen { try await emit(.textEnd(id: textId)) }
        // Server-executed tool results belong to the step that called the tool.
        for call in outcome.toolCalls {
            try Task.checkCancellation()
            switch await callTool(call.name, call.input) {
            case .success(let output):
                try await emit(.toolOutputAvailable(toolCallId: call.id, output: output))
                outcome.toolResults.append(.toolResult(callId: call.id, name: call.name, output: output, isError: false))
            case .failure(let failure):
                try await emit(.toolOutputError(toolCallId: call.id, errorText: failure.message))
                outcome.toolResults.append(
                    .toolResult(callId: call.id, name: call.name, output: .string(failure.message), isError: true)
                )
            }
        }
        return outcome
    }
}
