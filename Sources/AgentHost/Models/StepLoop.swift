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
        var step = 0
        while step < request.maxSteps {
            step += 1
            try await emit(.startStep)
            let outcome = try await runStep(
                number: step, request: ModelRequest(system: request.system, messages: messages, tools: request.tools)
            )
            allText += outcome.text
            finishReason = outcome.finishReason
            try await emit(.finishStep)
            guard finishReason == .toolCalls, !outcome.toolCalls.isEmpty else { break }
            messages.append(.assistant(text: outcome.text, toolCalls: outcome.toolCalls))
            messages.append(contentsOf: outcome.toolResults)
        }
        return ModelStreamResult(text: allText, finishReason: finishReason.rawValue, steps: step)
    }

    private struct StepOutcome {
        var text = ""
        var finishReason = FinishReason.stop
        var toolCalls: [ModelToolCall] = []
        var toolResults: [ModelMessage] = []
    }

    private func runStep(number: Int, request: ModelRequest) async throws -> StepOutcome {
        var outcome = StepOutcome()
        let textId = "text-\(number)"
        let reasoningId = "reasoning-\(number)"
        var textOpen = false
        var reasoningOpen = false
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
