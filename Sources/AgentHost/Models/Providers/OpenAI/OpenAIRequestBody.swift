import AgentWire

/// Builds the Chat Completions request body for one step.
///
/// Tool calls go back as the assistant's `tool_calls` (arguments as a JSON
/// string), results as `role: "tool"` messages naming `tool_call_id`. Usage is
/// requested with `stream_options.include_usage`. Chat Completions has no
/// documented prefill; an assistant prefix is sent as a final assistant message,
/// which compatible servers (vLLM, llama.cpp, Ollama) continue and OpenAI may.
///
/// A user message with attachments has an array of content parts (`OpenAIContent`).
/// A tool message can only hold text: files a tool returned follow the step's
/// tool messages in a user message of their own, which the tool message points to.
enum OpenAIRequestBody {
    /// - Throws: `ModelProviderError` (`unsupportedInput`) for an attachment the
    ///   Chat Completions API cannot take: nothing is sent, and the turn's error names it.
    static func make(model: String, request: ModelRequest, maxTokens: Int?) throws -> JSONValue {
        var messages: [JSONValue] = []
        if let system = request.system, !system.isEmpty {
            messages.append(["role": "system", "content": .string(system)])
        }
        // Files from tool results, sent once the step's tool messages are all written.
        var toolFiles: [JSONValue] = []
        func flushToolFiles() {
            guard !toolFiles.isEmpty else { return }
            messages.append(["role": "user", "content": .array(toolFiles)])
            toolFiles = []
        }
        for message in request.messages {
            if case .toolResult = message {} else { flushToolFiles() }
            switch message {
            case .user(let parts):
                messages.append(["role": "user", "content": try OpenAIContent.userContent(parts)])
            case .assistant(let text, let calls, _):
                var entry: [String: JSONValue] = ["role": "assistant"]
                entry["content"] = text.isEmpty && !calls.isEmpty ? .null : .string(text)
                if !calls.isEmpty {
                    entry["tool_calls"] = .array(calls.map { call in
                        [
                            "id": .string(call.id),
                            "type": "function",
                            "function": [
                                "name": .string(call.name),
                                "arguments": .string((try? WireCoding.encodeString(call.input)) ?? "{}"),
                            ],
                        ]
                    })
                }
                messages.append(.object(entry))
            case .toolResult(let callId, _, let output, let isError):
                // Chat Completions has no error flag on tool results; say it in the text.
                var text = ToolOutputText.render(output)
                if let parts = ModelContentPart.toolOutput(output) {
                    let split = try OpenAIContent.toolResult(parts, callId: callId)
                    text = split.text
                    toolFiles += split.files
                }
                messages.append([
                    "role": "tool", "tool_call_id": .string(callId), "content": .string(isError ? "Error: \(text)" : text),
                ])
            }
        }
        flushToolFiles()
        if let prefix = request.assistantPrefix, !prefix.isEmpty {
            messages.append(["role": "assistant", "content": .string(prefix)])
        }
        var body: [String: JSONValue] = [
            "model": .string(model),
            "stream": true,
            "stream_options": ["include_usage": true],
            "messages": .array(messages),
        ]
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map { tool in
                [
                    "type": "function",
                    "function": [
                        "name": .string(tool.name),
                        "description": .string(tool.description),
                        "parameters": ToolOutputText.objectSchema(tool.inputSchema),
                    ],
                ]
            })
        }
        if let maxTokens { body["max_completion_tokens"] = .number(Double(maxTokens)) }
        return .object(body)
    }
}
