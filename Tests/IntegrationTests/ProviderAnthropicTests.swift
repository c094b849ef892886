import AgentWire
import Foundation
import TestSupport
import Testing

extension ProviderIntegration {
    /// The real daemon against a fake Anthropic Messages API: what it streams to
    /// the client and what it sent the provider.
    @Suite struct ProviderAnthropicTests {
        @Test func plainTextIsStreamedAndTheRequestIsAMessagesAPICall() async throws {
            let fake = try await FakeProviderServer.start([.stream(Wire.anthropicText(["Hello", " there", "!"]))])
            defer { fake.stop() }
            let daemon = try DaemonProcess.started(environment: ProviderEnvironment.anthropic(fake))
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "anthropic-text")

            let events = try await chat.turn("hello")
            #expect(events.types == [
                "data-turn-start", "start", "start-step", "text-start", "text-delta", "text-delta", "text-delta", "text-end",
                "finish-step", "message-metadata", "finish", "data-turn-complete",
            ])
            #expect(events.text == "Hello there!")
            #expect(events.first("message-metadata") == [
                "type": "message-metadata", "messageMetadata": ["usage": ["inputTokens": 12, "outputTokens": 5, "totalTokens": 17]],
            ])
            #expect(events.first("finish") == ["type": "finish", "finishReason": "stop"])

            #expect(fake.requests.count == 1)
            let request = try #require(fake.requests.first)
            #expect(request.method == "POST")
            #expect(request.path == "/v1/messages")
            #expect(request.header("x-api-key") == "sk-ant-test-key")
            #expect(request.header("anthropic-version") == "2023-06-01")
            #expect(request.header("content-type") == "application/json")
            #expect(request.header("authorization") == nil)
            #expect(request.body == [
                "model": "claude-test",
                "max_tokens": 8192,
                "stream": true,
                "messages": [["role": "user", "content": [["type": "text", "text": "hello"]]]],
            ])

            // Usage is recorded with the turn: the assistant message carries it.
            let history = try await chat.history()
            #expect(history.last?["metadata"]?["usage"]?["totalTokens"] == 17)
        }

        /// ToolsDemo's calculator, called by the model, run in the plugin, and its
        /// result sent back as a `tool_result` block; then a second turn sends the
        /// whole round trip back from history.
        @Test func aToolRoundTripSendsTheResultBackAsAToolResultBlock() async throws {
            let toolUse = [
                Wire.anthropic("message_start", #"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-test","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":300,"output_tokens":1}}}"#),
                Wire.anthropic("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
                Wire.anthropic("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Let me compute."}}"#),
                Wire.anthropic("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
                Wire.anthropic("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01A","name":"calculator","input":{}}}"#),
                Wire.anthropic("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}"#),
                Wire.anthropic("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"expression\":"}}"#),
                Wire.anthropic("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \"2+3\"}"}}"#),
                Wire.anthropic("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
                Wire.anthropic("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":40}}"#),
                Wire.anthropic("message_stop", #"{"type":"message_stop"}"#),
            ]
            let fake = try await FakeProviderServer.start([
                .stream(toolUse),
                .stream(Wire.anthropicText(["2 + 3 = ", "5."], inputTokens: 350, outputTokens: 8)),
                .stream(Wire.anthropicText(["You're welcome."])),
            ])
            defer { fake.stop() }
            let daemon = try DaemonProcess.started(plugins: [DaemonProcess.toolsDemoPlugin], environment: ProviderEnvironment.anthropic(fake))
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "anthropic-tools", agent: "tools-demo")

            let events = try await chat.turn("What is 2+3?")
            #expect(events.types == [
                "data-turn-start", "start",
                "start-step", "text-start", "text-delta", "text-end",
                "tool-input-start", "tool-input-delta", "tool-input-delta", "tool-input-available", "tool-output-available",
                "finish-step",
                "start-step", "text-start", "text-delta", "text-delta", "text-end", "finish-step",
                "message-metadata", "finish", "data-turn-complete",
            ])
            #expect(events.first("tool-input-start") == ["type": "tool-input-start", "toolCallId": "toolu_01A", "toolName": "calculator"])
            #expect(events.first("tool-input-available")?["input"] == ["expression": "2+3"])
            #expect(events.first("tool-output-available") == ["type": "tool-output-available", "toolCallId": "toolu_01A", "output": 5])
            #expect(events.first("message-metadata")?["messageMetadata"]?["usage"] == ["inputTokens": 650, "outputTokens": 48, "totalTokens": 698])
            #expect(events.finishReason == "stop")
            // A second text part of the same turn gets its own id.
            #expect(events.filter { $0.type == "text-start" }.map { $0.json["id"] } == ["text-1", "text-2"])

            #expect(fake.requests.count == 2)
            let first = fake.requests[0].body
            #expect(first["system"]?.stringValue?.contains("calculator") == true)
            let tools = first["tools"]?.arrayValue ?? []
            #expect(tools.map { $0["name"] } == [
                "calculator", "getWeather", "transfer", "getLocation", "research", "countdown", "cancellations", "meet",
            ])
            #expect(tools.first?["input_schema"]?["properties"]?["expression"]?["type"] == "string")
            #expect(fake.requests[1].body["messages"] == [
                ["role": "user", "content": [["type": "text", "text": "What is 2+3?"]]],
                ["role": "assistant", "content": [
                    ["type": "text", "text": "Let me compute."],
                    ["type": "tool_use", "id": "toolu_01A", "name": "calculator", "input": ["expression": "2+3"]],
                ]],
                ["role": "user", "content": [["type": "tool_result", "tool_use_id": "toolu_01A", "content": "5"]]],
            ])

            // The next turn replays the round trip from the session's history.
            let second = try await chat.turn("Thanks!")
            #expect(second.text == "You're welcome.")
            #expect(fake.requests.count == 3)
            #expect(fake.requests[2].body["messages"] == [
                ["role": "user", "content": [["type": "text", "text": "What is 2+3?"]]],
                ["role": "assistant", "content": [
                    ["type": "text", "text": "Let me compute."],
                    ["type": "tool_use", "id": "toolu_01A", "name": "calculator", "input": ["expression": "2+3"]],
                ]],
                ["role": "user", "content": [["type": "tool_result", "tool_use_id": "toolu_01A", "content": "5"]]],
                ["role": "assistant", "content": [["type": "text", "text": "2 + 3 = 5."]]],
                ["role": "user", "content": [["type": "text", "text": "Thanks!"]]],
            ])
        }

        /// Extended thinking: streamed as reasoning parts, and the signed thinking
        /// block goes back first in the assistant message of the tool loop.
        @Test func thinkingIsStreamedAsReasoningAndSentBackSigned() async throws {
            let thinkingThenTool = [
                Wire.anthropic("message_start", #"{"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","model":"claude-test","content":[],"stop_reason":null,"usage":{"input_tokens":50,"output_tokens":1}}}"#),
                Wire.anthropic("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}"#),
                Wire.anthropic("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"The user wants"}}"#),
                Wire.anthropic("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":" Berlin's weather."}}"#),
                Wire.anthropic("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3h"}}"#),
                Wire.anthropic("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
                Wire.anthropic("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_W","name":"getWeather","input":{}}}"#),
                Wire.anthropic("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Berlin\"}"}}"#),
                Wire.anthropic("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
                Wire.anthropic("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":60}}"#),
                Wire.anthropic("message_stop", #"{"type":"message_stop"}"#),
            ]
            let fake = try await FakeProviderServer.start([.stream(thinkingThenTool), .stream(Wire.anthropicText(["Cloudy, 18°C."]))])
            defer { fake.stop() }
            let environment = ProviderEnvironment.anthropic(fake, extra: ["AGENT_HOST_THINKING_BUDGET": "2048"])
            let daemon = try DaemonProcess.started(plugins: [DaemonProcess.toolsDemoPlugin], environment: environment)
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "anthropic-thinking", agent: "tools-demo")

            let events = try await chat.turn("Weather in Berlin?")
            #expect(Array(events.types.prefix(9)) == [
                "data-turn-start", "start", "start-step", "reasoning-start", "reasoning-delta", "reasoning-delta", "reasoning-end",
                "tool-input-start", "tool-input-delta",
            ])
            #expect(events.compactMap { $0.type == "reasoning-delta" ? $0.json["delta"]?.stringValue : nil }.joined() == "The user wants Berlin's weather.")
            #expect(events.first("tool-output-available")?["output"] == [
                "city": "Berlin", "temperatureC": 18, "condition": "cloudy", "humidityPercent": 65,
            ])
            #expect(events.text == "Cloudy, 18°C.")

            #expect(fake.requests.count == 2)
            #expect(fake.requests[0].body["thinking"] == ["type": "enabled", "budget_tokens": 2048])
            let assistant = fake.requests[1].body["messages"]?.arrayValue?[1]
            #expect(assistant?["content"]?.arrayValue?.first == [
                "type": "thinking", "thinking": "The user wants Berlin's weather.", "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3h",
            ])

            let history = try await chat.history()
            let reasoning = history.last?["parts"]?.arrayValue?.first { $0["type"] == "reasoning" }
            #expect(reasoning?["text"] == "The user wants Berlin's weather.")
        }
    }
}
