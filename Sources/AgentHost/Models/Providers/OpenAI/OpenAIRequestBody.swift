import AgentWire

/// Builds the Chat Completions request body for one step.
///
/// Tool calls go back as the assistant's `tool_calls` (arguments as a JSON
/// string), results as `role: "tool"` messages naming `tool_call_id`. Usage is
/// requested with `stream_options.include_usage`. Chat Completions has no
/// documented prefill; an assistant prefix is sent as a final assistant message,
/// which compatible servers (vLLM, llama.cpp, Ollama) continue and OpenAI may.
enum OpenAIRequestBody {
    static func make(model: String, request: ModelRequest, maxTokens: Int?) -> JSONValue {
        var messages: [JSONValue] = []
        if let system = request.system, !system.isEmpty {
            messages.append(["role": "system", "content": .string(system)])
        }
        for message in request.messages {
            switch message {
            case .user(let text):
                messages.append(["role": "user", "content": .string(text)])
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
                let text = ToolOutputText.render(output)
                messages.append([
                    "role": "tool", "tool_call_id": .string(callId), "content": .string(isError ? "Error: \(text)" : text),
                ])
            }
        }
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
