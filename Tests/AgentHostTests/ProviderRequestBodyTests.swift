import AgentWire
@testable import AgentHost
import Testing

/// What the daemon sends each provider for one step, field by field.
@Suite struct ProviderRequestBodyTests {
    static let calculator = ToolSpec(
        name: "calculator", description: "Adds things.",
        inputSchema: ["type": "object", "properties": ["expression": ["type": "string"]], "required": ["expression"]]
    )

    /// A tool round trip with two parallel calls, one of which failed, then a follow-up.
    static let conversation: [ModelMessage] = [
        .user("What is 2+3 and the weather in Paris?"),
        .assistant(
            text: "Let me check.",
            toolCalls: [
                ModelToolCall(id: "call_1", name: "calculator", input: ["expression": "2+3"]),
                ModelToolCall(id: "call_2", name: "getWeather", input: ["city": "Paris"]),
            ],
            reasoning: [
                ModelReasoning(text: "Two tools.", signature: "sig"),
                ModelReasoning(text: "unsigned, from another provider"),
                ModelReasoning(text: "", redactedData: "opaque"),
            ]
        ),
        .toolResult(callId: "call_1", name: "calculator", output: 5, isError: false),
        .toolResult(callId: "call_2", name: "getWeather", output: "no weather for Paris", isError: true),
        .user("Thanks"),
    ]

    @Test func anthropicBodyAlternatesRolesAndCarriesToolResultsAsBlocks() throws {
        let body = try AnthropicRequestBody.make(
            model: "claude-test",
            request: ModelRequest(system: "Be brief.", messages: Self.conversation, tools: [Self.calculator]),
            options: .init(maxTokens: 1000, thinkingBudget: nil)
        )
        #expect(body == [
            "model": "claude-test",
            "max_tokens": 1000,
            "stream": true,
            "system": "Be brief.",
            "tools": [["name": "calculator", "description": "Adds things.", "input_schema": Self.calculator.inputSchema]],
            "messages": [
                ["role": "user", "content": [["type": "text", "text": "What is 2+3 and the weather in Paris?"]]],
                ["role": "assistant", "content": [
                    ["type": "thinking", "thinking": "Two tools.", "signature": "sig"],
                    ["type": "redacted_thinking", "data": "opaque"],
                    ["type": "text", "text": "Let me check."],
                    ["type": "tool_use", "id": "call_1", "name": "calculator", "input": ["expression": "2+3"]],
                    ["type": "tool_use", "id": "call_2", "name": "getWeather", "input": ["city": "Paris"]],
                ]],
                ["role": "user", "content": [
                    ["type": "tool_result", "tool_use_id": "call_1", "content": "5"],
                    ["type": "tool_result", "tool_use_id": "call_2", "content": "no weather for Paris", "is_error": true],
                    ["type": "text", "text": "Thanks"],
                ]],
            ],
        ])
    }

    @Test func anthropicPrefillIsAFinalAssistantMessageWithoutTrailingWhitespace() throws {
        let body = try AnthropicRequestBody.make(
            model: "claude-test",
            request: ModelRequest(system: nil, messages: [.user("Count to five")], tools: [], assistantPrefix: "1, 2, 3, \n"),
            options: .init(maxTokens: 50, thinkingBudget: 2048)
        )
        #expect(body["messages"] == [
            ["role": "user", "content": [["type": "text", "text": "Count to five"]]],
            ["role": "assistant", "content": [["type": "text", "text": "1, 2, 3,"]]],
        ])
        #expect(body["thinking"] == ["type": "enabled", "budget_tokens": 2048])
        #expect(body["system"] == nil && body["tools"] == nil)
    }

    @Test func anthropicKeepsMaxTokensAboveTheThinkingBudget() {
        #expect(AnthropicModel(model: "m", apiKey: "k", maxTokens: 1000, thinkingBudget: 4096).maxTokens == 5120)
        #expect(AnthropicModel(model: "m", apiKey: "k").maxTokens == AnthropicModel.defaultMaxTokens)
    }

    @Test func openAIBodyUsesToolCallsAndToolMessagesAndAsksForUsage() throws {
        let body = try OpenAIRequestBody.make(
            model: "gpt-test",
            request: ModelRequest(system: "Be brief.", messages: Self.conversation, tools: [Self.calculator], assistantPrefix: "You"),
            maxTokens: nil
        )
        #expect(body == [
            "model": "gpt-test",
            "stream": true,
            "stream_options": ["include_usage": true],
            "tools": [["type": "function", "function": [
                "name": "calculator", "description": "Adds things.", "parameters": Self.calculator.inputSchema,
            ]]],
            "messages": [
                ["role": "system", "content": "Be brief."],
                ["role": "user", "content": "What is 2+3 and the weather in Paris?"],
                ["role": "assistant", "content": "Let me check.", "tool_calls": [
                    ["id": "call_1", "type": "function", "function": ["name": "calculator", "arguments": #"{"expression":"2+3"}"#]],
                    ["id": "call_2", "type": "function", "function": ["name": "getWeather", "arguments": #"{"city":"Paris"}"#]],
                ]],
                ["role": "tool", "tool_call_id": "call_1", "content": "5"],
                ["role": "tool", "tool_call_id": "call_2", "content": "Error: no weather for Paris"],
                ["role": "user", "content": "Thanks"],
                ["role": "assistant", "content": "You"],
            ],
        ])
    }

    @Test func openAIAssistantContentIsNullOnlyBesideToolCalls() throws {
        let body = try OpenAIRequestBody.make(
            model: "m",
            request: ModelRequest(system: nil, messages: [
                .assistant(text: "", toolCalls: [ModelToolCall(id: "c", name: "t", input: [:])]),
            ], tools: []),
            maxTokens: 64
        )
        #expect(body["messages"]?.arrayValue?.first?["content"] == .null)
        #expect(body["max_completion_tokens"] == 64)
        #expect(body["tools"] == nil)
    }

    @Test func historyBecomesOneAssistantMessagePerStep() {
        let assistant = UIMessage(id: "a", role: "assistant", parts: [
            ["type": "step-start"],
            ["type": "text", "text": "Computing."],
            ["type": "tool-calculator", "toolCallId": "c1", "state": "output-available", "input": ["expression": "2+3"], "output": 5],
            ["type": "tool-getWeather", "toolCallId": "c2", "state": "input-available", "input": ["city": "Oslo"]],
            ["type": "step-start"],
            ["type": "text", "text": "It is 5."],
        ])
        #expect(ModelMessage.from([.text("2+3?", role: "user", id: "u"), assistant]) == [
            .user("2+3?"),
            .assistant(text: "Computing.", toolCalls: [ModelToolCall(id: "c1", name: "calculator", input: ["expression": "2+3"])]),
            .toolResult(callId: "c1", name: "calculator", output: 5, isError: false),
            .assistant(text: "It is 5.", toolCalls: []),
        ])
    }
}
