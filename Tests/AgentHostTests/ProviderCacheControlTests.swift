import AgentWire
@testable import AgentHost
import Testing

/// Cache breakpoints (`cacheControl` from `prepareMessages`): from the
/// agent's prompt to the block Anthropic gets `cache_control` on; OpenAI's
/// body ignores them.
@Suite struct ProviderCacheControlTests {
    static let ephemeral: JSONValue = ["type": "ephemeral"]

    /// A prompt with a breakpoint on a user part, a tool call, a tool result, a reasoning part and a whole message.
    static var prompt: [PromptMessage] {
        var first = PromptPart.text("context")
        first.cacheControl = .ephemeral
        var call = PromptPart(type: .toolCall)
        (call.toolCallId, call.toolName, call.input, call.cacheControl) = ("c1", "lookup", ["topic": "tides"], .ephemeral)
        var result = PromptPart(type: .toolResult)
        (result.toolCallId, result.toolName, result.output) = ("c1", "lookup", "facts")
        return [
            PromptMessage(role: .user, parts: [first, .text("question")]),
            PromptMessage(role: .assistant, parts: [.text("Looking."), call]),
            PromptMessage(role: .tool, parts: [result], cacheControl: .ephemeral),
        ]
    }

    @Test func promptMarksBecomeBreakpointsOnTheBlocksTheyName() throws {
        let (messages, breakpoints) = try PromptConversion().messages(withBreakpoints: Self.prompt)
        #expect(messages.count == 3)
        #expect(breakpoints == [
            ModelCacheBreakpoint(message: 0, block: .userPart(0)),
            ModelCacheBreakpoint(message: 1, block: .toolCall("c1")),
            ModelCacheBreakpoint(message: 2, block: .last),
        ])
    }

    @Test func anthropicGetsCacheControlOnThoseBlocksAndOpenAIIgnoresThem() throws {
        var request = ModelRequest(system: nil, messages: [], tools: [])
        (request.messages, request.cacheBreakpoints) = try PromptConversion().messages(withBreakpoints: Self.prompt)
        let body = try AnthropicRequestBody.make(model: "claude-test", request: request, options: .init(maxTokens: 100, thinkingBudget: nil))
        #expect(body["messages"] == [
            ["role": "user", "content": [
                ["type": "text", "text": "context", "cache_control": Self.ephemeral], ["type": "text", "text": "question"],
            ]],
            ["role": "assistant", "content": [
                ["type": "text", "text": "Looking."],
                ["type": "tool_use", "id": "c1", "name": "lookup", "input": ["topic": "tides"], "cache_control": Self.ephemeral],
            ]],
            ["role": "user", "content": [
                ["type": "tool_result", "tool_use_id": "c1", "content": "facts", "cache_control": Self.ephemeral],
            ]],
        ])
        let openAI = try OpenAIRequestBody.make(model: "gpt-test", request: request, maxTokens: nil)
        #expect(!openAI.jsonText.contains("cache_control"))
    }

    @Test func anthropicTakesTheLastFourBreakpointsOnly() throws {
        let messages = (0..<6).map { ModelMessage.user("m\($0)") }
        var request = ModelRequest(system: nil, messages: [], tools: [])
        for (index, message) in messages.enumerated() {
            // Alternating roles, so each message is a turn of its own.
            request.messages.append(message)
            request.messages.append(.assistant(text: "a\(index)", toolCalls: []))
            request.cacheBreakpoints.insert(ModelCacheBreakpoint(message: index * 2, block: .last))
        }
        let body = try AnthropicRequestBody.make(model: "claude-test", request: request, options: .init(maxTokens: 100, thinkingBudget: nil))
        let marked = (body["messages"]?.arrayValue ?? []).enumerated().compactMap { index, turn in
            turn["content"]?.arrayValue?.first?["cache_control"] == nil ? nil : index
        }
        #expect(marked == [4, 6, 8, 10])
    }
}
