import AgentWire
@testable import AgentHost
import Testing

/// Anthropic Messages streaming, decoded from the documented wire format (reference/protocols.md §4).
@Suite struct ProviderAnthropicDecoderTests {
    /// The docs' "Streaming request with tool use" example, verbatim.
    static let docsToolUse = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-opus-4-8","stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2},"content":[],"stop_reason":null}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: ping
        data: {"type": "ping"}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"location\\":"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \\"San"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" Francisc"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"o,"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" CA\\"}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

        event: message_stop
        data: {"type":"message_stop"}


        """

    @Test func textThenAToolCallFromTheDocs() throws {
        let id = "toolu_01T1x1fJ34qAmk2tNTrN7Up6"
        #expect(try decodeStream(Self.docsToolUse, with: AnthropicStreamDecoder()) == [
            .textDelta("Okay"),
            .toolInputStart(id: id, name: "get_weather"),
            .toolInputDelta(id: id, delta: "{\"location\":"),
            .toolInputDelta(id: id, delta: " \"San"),
            .toolInputDelta(id: id, delta: " Francisc"),
            .toolInputDelta(id: id, delta: "o,"),
            .toolInputDelta(id: id, delta: " CA\"}"),
            .toolCall(id: id, name: "get_weather", input: ["location": "San Francisco, CA"]),
            .usage(ModelUsage(inputTokens: 472, outputTokens: 89)),
            .finish(.toolCalls),
        ])
    }

    @Test func thinkingBecomesReasoningAndKeepsItsSignature() throws {
        let stream = """
            event: message_start
            data: {"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"model":"claude-test","stop_reason":null}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me think"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":" about it."}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: content_block_start
            data: {"type":"content_block_start","index":1,"content_block":{"type":"redacted_thinking","data":"EmwKAhgBEgy"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":1}

            event: content_block_start
            data: {"type":"content_block_start","index":2,"content_block":{"type":"text","text":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"42"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":2,"delta":{"type":"citations_delta","citation":{"type":"char_location"}}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":2}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null}}

            event: message_stop
            data: {"type":"message_stop"}


            """
        // No usage anywhere (the docs' thinking example): no usage event.
        #expect(try decodeStream(stream, with: AnthropicStreamDecoder()) == [
            .reasoningDelta("Let me think"),
            .reasoningDelta(" about it."),
            .reasoningEnd(signature: "EqQBCgIYAhIM"),
            .reasoningRedacted(data: "EmwKAhgBEgy"),
            .textDelta("42"),
            .finish(.stop),
        ])
    }

    @Test func aToolCallWithNoArgumentsIsAnEmptyObject() throws {
        let stream = [
            #"{"type":"message_start","message":{"usage":{"input_tokens":10,"output_tokens":1,"cache_read_input_tokens":100,"cache_creation_input_tokens":5}}}"#,
            #"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"now","input":{}}}"#,
            #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}"#,
            #"{"type":"content_block_stop","index":0}"#,
            #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":7}}"#,
            #"{"type":"message_stop"}"#,
        ].map { "data: \($0)\n\n" }.joined()
        #expect(try decodeStream(stream, with: AnthropicStreamDecoder()) == [
            .toolInputStart(id: "toolu_1", name: "now"),
            .toolCall(id: "toolu_1", name: "now", input: [:]),
            .usage(ModelUsage(inputTokens: 115, outputTokens: 7, cachedInputTokens: 100)),
            .finish(.toolCalls),
        ])
    }

    @Test func unknownEventsBlocksAndDeltasAreIgnored() throws {
        let stream = [
            #"event: message_start"# + "\n" + #"data: {"type":"message_start","message":{}}"#,
            #"event: brand_new"# + "\n" + #"data: {"type":"brand_new","x":1}"#,
            #"data: {"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"s","name":"web_search","input":{}}}"#,
            #"data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{}"}}"#,
            #"data: {"type":"content_block_stop","index":0}"#,
            #"data: {"type":"message_stop"}"#,
        ].map { "\($0)\n\n" }.joined()
        #expect(try decodeStream(stream, with: AnthropicStreamDecoder()) == [.finish(.stop)])
    }

    @Test func anErrorEventThrowsARetryableStreamError() {
        let stream = """
            event: error
            data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}


            """
        let (events, error) = decodeUntilFailure(stream, with: AnthropicStreamDecoder())
        #expect(events.isEmpty)
        #expect(error?.kind == .streamError(type: "overloaded_error"))
        #expect(error?.isRetryable == true)
        #expect(error?.description == "Anthropic stream error (overloaded_error): Overloaded")
    }

    @Test func invalidJSONIsMalformedAndNotRetryable() {
        let (_, error) = decodeUntilFailure("event: content_block_delta\ndata: {\"type\":\"content_blo\n\n", with: AnthropicStreamDecoder())
        #expect(error?.kind == .malformed)
        #expect(error?.isRetryable == false)
    }

    @Test func toolArgumentsThatAreNotJSONAreMalformed() {
        let stream = [
            #"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"calc","input":{}}}"#,
            #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}}"#,
            #"{"type":"content_block_stop","index":0}"#,
        ].map { "data: \($0)\n\n" }.joined()
        let (events, error) = decodeUntilFailure(stream, with: AnthropicStreamDecoder())
        #expect(events == [.toolInputStart(id: "t", name: "calc"), .toolInputDelta(id: "t", delta: "{\"a\":")])
        #expect(error?.kind == .malformed)
    }

    @Test func aStreamThatEndsBeforeMessageStopIsTruncated() {
        let stream = Self.docsToolUse.components(separatedBy: "event: message_delta")[0]
        let (events, error) = decodeUntilFailure(stream, with: AnthropicStreamDecoder())
        #expect(events.first == .textDelta("Okay"))
        #expect(error?.kind == .truncated)
        #expect(error?.description == "Anthropic stream ended early: the stream closed before `message_stop`")
    }

    @Test(arguments: [
        ("end_turn", FinishReason.stop), ("stop_sequence", .stop), ("pause_turn", .stop), ("tool_use", .toolCalls),
        ("max_tokens", .length), ("model_context_window_exceeded", .length), ("refusal", .contentFilter), ("something_new", .other),
    ])
    func stopReasonsMapLikeTheAISDK(stopReason: String, expected: FinishReason) {
        #expect(AnthropicStreamDecoder.finishReason(stopReason) == expected)
    }

    @Test func aPrefillContinuationDropsTheWhitespaceTheRequestTrimmed() throws {
        let stream = [
            #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
            #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" "}}"#,
            #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" 4, 5"}}"#,
            #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" and 6"}}"#,
            #"{"type":"content_block_stop","index":0}"#,
            #"{"type":"message_stop"}"#,
        ].map { "data: \($0)\n\n" }.joined()
        #expect(try decodeStream(stream, with: AnthropicStreamDecoder(assistantPrefix: "1, 2, 3, ")) == [
            .textDelta("4, 5"), .textDelta(" and 6"), .finish(.stop),
        ])
        // A prefix that ends in a word is sent whole; the continuation is kept as is.
        #expect(try decodeStream(stream, with: AnthropicStreamDecoder(assistantPrefix: "1, 2, 3")) == [
            .textDelta(" "), .textDelta(" 4, 5"), .textDelta(" and 6"), .finish(.stop),
        ])
    }
}
