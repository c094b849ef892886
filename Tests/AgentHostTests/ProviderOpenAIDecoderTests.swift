import AgentWire
@testable import AgentHost
import Testing

/// OpenAI Chat Completions streaming, decoded from the documented wire format (reference/protocols.md §5).
@Suite struct ProviderOpenAIDecoderTests {
    private static func chunk(_ delta: String, finish: String? = nil, index: Int = 0) -> String {
        let reason = finish.map { "\"\($0)\"" } ?? "null"
        return #"data: {"id":"chatcmpl-96aZqmeDpA9IPD6tACY8djkMsJCMP","object":"chat.completion.chunk","created":1711357598,"model":"gpt-3.5-turbo-0125","system_fingerprint":"fp_3bc1b5746c","choices":[{"index":\#(index),"delta":\#(delta),"logprobs":null,"finish_reason":\#(reason)}]}"# + "\n\n"
    }

    /// The AI SDK's "should stream tool deltas" stream, with its three-way split of "Sparkle Day".
    static let toolDeltas = [
        chunk(#"{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_O17Uplv4lJvD6DVdIvFFeRMw","type":"function","function":{"name":"test-tool","arguments":""}}]}"#),
        chunk(#"{"tool_calls":[{"index":0,"function":{"arguments":"{\""}}]}"#),
        chunk(#"{"tool_calls":[{"index":0,"function":{"arguments":"value"}}]}"#),
        chunk(#"{"tool_calls":[{"index":0,"function":{"arguments":"\":\""}}]}"#),
        chunk(#"{"tool_calls":[{"index":0,"function":{"arguments":"Spark"}}]}"#),
        chunk(#"{"tool_calls":[{"index":0,"function":{"arguments":"le"}}]}"#),
        chunk(#"{"tool_calls":[{"index":0,"function":{"arguments":" Day"}}]}"#),
        chunk(#"{"tool_calls":[{"index":0,"function":{"arguments":"\"}"}}]}"#),
        chunk("{}", finish: "tool_calls"),
        #"data: {"id":"chatcmpl-96aZqmeDpA9IPD6tACY8djkMsJCMP","object":"chat.completion.chunk","created":1711357598,"model":"gpt-3.5-turbo-0125","system_fingerprint":"fp_3bc1b5746c","choices":[],"usage":{"prompt_tokens":53,"completion_tokens":17,"total_tokens":70}}"# + "\n\n",
        "data: [DONE]\n\n",
    ].joined()

    @Test func toolCallDeltasMergeByIndex() throws {
        let id = "call_O17Uplv4lJvD6DVdIvFFeRMw"
        #expect(try decodeStream(Self.toolDeltas, with: OpenAIStreamDecoder()) == [
            .toolInputStart(id: id, name: "test-tool"),
            .toolInputDelta(id: id, delta: "{\""),
            .toolInputDelta(id: id, delta: "value"),
            .toolInputDelta(id: id, delta: "\":\""),
            .toolInputDelta(id: id, delta: "Spark"),
            .toolInputDelta(id: id, delta: "le"),
            .toolInputDelta(id: id, delta: " Day"),
            .toolInputDelta(id: id, delta: "\"}"),
            .toolCall(id: id, name: "test-tool", input: ["value": "Sparkle Day"]),
            .usage(ModelUsage(inputTokens: 53, outputTokens: 17)),
            .finish(.toolCalls),
        ])
    }

    @Test func textAsRecordedWithObfuscationAndNullUsage() throws {
        let stream = [
            #"data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4.1-nano","service_tier":"default","system_fingerprint":"fp","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"aB3"}"#,
            #"data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4.1-nano","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"x"}"#,
            #"data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4.1-nano","choices":[{"index":0,"delta":{"content":", world"},"logprobs":null,"finish_reason":null}],"usage":null}"#,
            #"data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4.1-nano","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}"#,
            #"data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4.1-nano","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12,"prompt_tokens_details":{"cached_tokens":4}}}"#,
            "data: [DONE]",
        ].map { $0 + "\n\n" }.joined()
        #expect(try decodeStream(stream, with: OpenAIStreamDecoder()) == [
            .textDelta("Hello"), .textDelta(", world"),
            .usage(ModelUsage(inputTokens: 9, outputTokens: 3, cachedInputTokens: 4)),
            .finish(.stop),
        ])
    }

    @Test func parallelCallsByIndexAndANewIdAtAReusedIndex() throws {
        let stream = [
            Self.chunk(#"{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"calculator","arguments":""}},{"index":1,"id":"call_b","type":"function","function":{"name":"getWeather","arguments":"{\"city\":"}}]}"#),
            Self.chunk(#"{"tool_calls":[{"index":1,"function":{"arguments":"\"Paris\"}"}},{"index":0,"function":{"arguments":"{\"expression\":\"1+1\"}"}}]}"#),
            // Ollama style: a second call reuses index 0 with a new id.
            Self.chunk(#"{"tool_calls":[{"index":0,"id":"call_c","type":"function","function":{"name":"calculator","arguments":"{\"expression\":\"2*2\"}"}}]}"#),
            Self.chunk("{}", finish: "stop"),
            "data: [DONE]\n\n",
        ].joined()
        let events = try decodeStream(stream, with: OpenAIStreamDecoder())
        let calls = events.compactMap { event -> ModelToolCall? in
            if case .toolCall(let id, let name, let input) = event { ModelToolCall(id: id, name: name, input: input) } else { nil }
        }
        #expect(calls == [
            ModelToolCall(id: "call_a", name: "calculator", input: ["expression": "1+1"]),
            ModelToolCall(id: "call_b", name: "getWeather", input: ["city": "Paris"]),
            ModelToolCall(id: "call_c", name: "calculator", input: ["expression": "2*2"]),
        ])
        // A server that says `stop` after tool calls still ended the step with tool calls.
        #expect(events.last == .finish(.toolCalls))
    }

    @Test func reasoningContentFromCompatibleServersIsReasoning() throws {
        let stream = [
            Self.chunk(#"{"role":"assistant","reasoning_content":"Thinking..."}"#),
            Self.chunk(#"{"reasoning":" more"}"#),
            Self.chunk(#"{"content":"Done."}"#),
            Self.chunk("{}", finish: "length"),
            "data: [DONE]\n\n",
        ].joined()
        #expect(try decodeStream(stream, with: OpenAIStreamDecoder()) == [
            .reasoningDelta("Thinking..."), .reasoningDelta(" more"), .textDelta("Done."), .finish(.length),
        ])
    }

    @Test func anErrorDataEventThrows() {
        let stream = Self.chunk(#"{"content":"Hi"}"#)
            + #"data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}"# + "\n\n"
        let (events, error) = decodeUntilFailure(stream, with: OpenAIStreamDecoder())
        #expect(events == [.textDelta("Hi")])
        #expect(error?.kind == .streamError(type: "server_error"))
        #expect(error?.description == "OpenAI stream error (server_error): The server had an error while processing your request.")
    }

    @Test func endingWithoutDoneIsFineAfterAFinishReasonAndTruncatedBefore() throws {
        let finished = Self.chunk(#"{"content":"Hi"}"#) + Self.chunk("{}", finish: "stop")
        #expect(try decodeStream(finished, with: OpenAIStreamDecoder()) == [.textDelta("Hi"), .finish(.stop)])
        let (events, error) = decodeUntilFailure(Self.chunk(#"{"content":"Hi"}"#), with: OpenAIStreamDecoder())
        #expect(events == [.textDelta("Hi")])
        #expect(error?.kind == .truncated)
    }

    @Test func malformedChunksAndNamelessFirstToolDeltasAreMalformed() {
        #expect(decodeUntilFailure("data: {\"choices\":[\n\n", with: OpenAIStreamDecoder()).1?.kind == .malformed)
        let nameless = Self.chunk(#"{"tool_calls":[{"index":0,"id":"call_x","function":{"arguments":"{}"}}]}"#)
        #expect(decodeUntilFailure(nameless, with: OpenAIStreamDecoder()).1?.kind == .malformed)
    }

    @Test func absurdNumbersFromAServerNeverTrap() throws {
        let stream = Self.chunk(#"{"tool_calls":[{"index":1e300,"id":"call_big","type":"function","function":{"name":"t","arguments":"{}"}}]}"#)
            + #"data: {"choices":[],"usage":{"prompt_tokens":1e300,"completion_tokens":-5,"total_tokens":1e308}}"# + "\n\n"
            + "data: [DONE]\n\n"
        #expect(try decodeStream(stream, with: OpenAIStreamDecoder()) == [
            .toolInputStart(id: "call_big", name: "t"),
            .toolInputDelta(id: "call_big", delta: "{}"),
            .toolCall(id: "call_big", name: "t", input: [:]),
            .usage(ModelUsage(inputTokens: 0, outputTokens: 0)),
            .finish(.toolCalls),
        ])
        let anthropic = #"data: {"type":"content_block_start","index":1e300,"content_block":{"type":"text","text":""}}"# + "\n\n"
        #expect(decodeUntilFailure(anthropic, with: AnthropicStreamDecoder()).1?.kind == .malformed)
    }

    @Test(arguments: [
        ("stop", FinishReason.stop), ("length", .length), ("content_filter", .contentFilter),
        ("tool_calls", .toolCalls), ("function_call", .toolCalls), ("eos", .other),
    ])
    func finishReasonsMapLikeTheAISDK(reason: String, expected: FinishReason) {
        #expect(OpenAIStreamDecoder.finishReason(reason) == expected)
    }
}
