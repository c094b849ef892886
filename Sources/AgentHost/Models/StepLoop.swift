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

    struct ToolFailure: Error, Sendable {
        let message: String
    }

    func run(_ request: ModelStreamRequest) async throws -> ModelStreamResult {
        precondition(request.maxSteps > 0, "the plugin SDK guarantees at least one step")
        var messages = ModelMessage.from(request.messages)
        var allText = ""
        var finishReason = FinishReason.stop
        var usage: ModelUsage?
        var step = 0
        while step < request.maxSteps {
            step += 1
            try await emit(.startStep)
            let outcome = try await runStep(
                number: step, request: ModelRequest(system: request.system, messages: messages, tools: request.tools)
            )
            allText += outcome.text
            finishReason = outcome.finishReason
            usage = ModelUsage.combine(usage, outcome.usage)
            try await emit(.finishStep)
            // Some OpenAI-compatible servers end a tool call with `stop`: the calls decide.
            guard !outcome.toolCalls.isEmpty else { break }
            messages.append(.assistant(text: outcome.text, toolCalls: outcome.toolCalls, reasoning: outcome.reasoning))
            messages.append(contentsOf: outcome.toolResults)
        }
        // Usage is recorded with the turn: in the log, and on the assistant
        // message's metadata (`message.metadata.usage`) for the client.
        if let usage { try await emit(.messageMetadata(["usage": usage.json])) }
        return ModelStreamResult(text: allText, finishReason: finishReason.rawValue, steps: step, usage: usage)
    }

    private struct StepOutcome {
        var text = ""
        var finishReason = FinishReason.stop
        var usage: ModelUsage?
        var reasoning: [ModelReasoning] = []
        var toolCalls: [ModelToolCall] = []
        var toolResults: [ModelMessage] = []
    }

    private func runStep(number: Int, request: ModelRequest) async throws -> StepOutcome {
        var outcome = StepOutcome()
        var parts = StepParts(step: number, emit: emit)
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
