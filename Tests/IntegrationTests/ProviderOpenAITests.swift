import AgentWire
import Foundation
import TestSupport
import Testing

extension ProviderIntegration {
    /// The real daemon against a fake OpenAI Chat Completions server.
    @Suite struct ProviderOpenAITests {
        @Test func plainTextIsStreamedAndTheRequestAsksForUsage() async throws {
            let fake = try await FakeProviderServer.start([.stream(Wire.openAIText(["Hi", " from", " GPT"]))])
            defer { fake.stop() }
            let daemon = try DaemonProcess.started(environment: ProviderEnvironment.openAI(fake))
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "openai-text")

            let events = try await chat.turn("hello")
            #expect(events.types == [
                "data-turn-start", "start", "start-step", "text-start", "text-delta", "text-delta", "text-delta", "text-end",
                "finish-step", "message-metadata", "finish", "data-turn-complete",
            ])
            #expect(events.text == "Hi from GPT")
            #expect(events.first("message-metadata")?["messageMetadata"]?["usage"] == ["inputTokens": 9, "outputTokens": 4, "totalTokens": 13])
            #expect(events.finishReason == "stop")

            let request = try #require(fake.requests.first)
            #expect(fake.requests.count == 1)
            #expect(request.path == "/v1/chat/completions")
            #expect(request.header("authorization") == "Bearer sk-openai-test-key")
            #expect(request.header("content-type") == "application/json")
            #expect(request.header("x-api-key") == nil)
            #expect(request.body == [
                "model": "gpt-test",
                "stream": true,
                "stream_options": ["include_usage": true],
                "messages": [["role": "user", "content": "hello"]],
            ])
        }

        @Test func aToolRoundTripSendsToolCallsAndAToolMessageBack() async throws {
            let toolCall = [
                Wire.openAIChunk(#"{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_abc","type":"function","function":{"name":"calculator","arguments":""}}]}"#),
                Wire.openAIChunk(#"{"tool_calls":[{"index":0,"function":{"arguments":"{\"expression\":"}}]}"#),
                Wire.openAIChunk(#"{"tool_calls":[{"index":0,"function":{"arguments":"\"(1.5+2.5)*3\"}"}}]}"#),
                Wire.openAIChunk("{}", finishReason: "tool_calls"),
                Wire.openAIUsage(prompt: 80, completion: 20),
                "data: [DONE]\n\n",
            ]
            let fake = try await FakeProviderServer.start([.stream(toolCall), .stream(Wire.openAIText(["It is 12."]))])
            defer { fake.stop() }
            let daemon = try DaemonProcess.started(plugins: [DaemonProcess.toolsDemoPlugin], environment: ProviderEnvironment.openAI(fake))
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "openai-tools", agent: "tools-demo")

            let events = try await chat.turn("(1.5+2.5)*3?")
            #expect(events.types == [
                "data-turn-start", "start",
                "start-step", "tool-input-start", "tool-input-delta", "tool-input-delta", "tool-input-available", "tool-output-available",
                "finish-step",
                "start-step", "text-start", "text-delta", "text-end", "finish-step",
                "message-metadata", "finish", "data-turn-complete",
            ])
            #expect(events.first("tool-input-available") == [
                "type": "tool-input-available", "toolCallId": "call_abc", "toolName": "calculator", "input": ["expression": "(1.5+2.5)*3"],
            ])
            #expect(events.first("tool-output-available")?["output"] == 12)
            #expect(events.first("message-metadata")?["messageMetadata"]?["usage"] == ["inputTokens": 89, "outputTokens": 24, "totalTokens": 113])

            #expect(fake.requests.count == 2)
            let first = fake.requests[0].body
            #expect(first["messages"]?.arrayValue?.first?["role"] == "system")
            #expect(first["tools"]?.arrayValue?.map { $0["function"]?["name"] } == [
                "calculator", "getWeather", "transfer", "getLocation", "research", "countdown", "cancellations", "meet",
            ])
            #expect(first["tools"]?.arrayValue?.first?["type"] == "function")
            #expect(first["tools"]?.arrayValue?.first?["function"]?["parameters"]?["required"] == ["expression"])
            let messages = fake.requests[1].body["messages"]?.arrayValue ?? []
            #expect(Array(messages.dropFirst()) == [
                ["role": "user", "content": "(1.5+2.5)*3?"],
                ["role": "assistant", "content": nil, "tool_calls": [
                    ["id": "call_abc", "type": "function", "function": ["name": "calculator", "arguments": #"{"expression":"(1.5+2.5)*3"}"#]],
                ]],
                ["role": "tool", "tool_call_id": "call_abc", "content": "12"],
            ])
        }

        @Test func anErrorEventMidStreamEndsTheTurn() async throws {
            let fake = try await FakeProviderServer.start([.stream([
                Wire.openAIChunk(#"{"role":"assistant","content":"Par"}"#),
                Wire.openAI(#"{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}"#),
            ])])
            defer { fake.stop() }
            let daemon = try DaemonProcess.started(environment: ProviderEnvironment.openAI(fake))
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "openai-error")
            let events = try await chat.turn("hi")
            #expect(events.text == "Par")
            #expect(events.errorText == "OpenAI stream error (server_error): The server had an error while processing your request. Sorry about that!")
            #expect(events.finishReason == "error")
            #expect(fake.requests.count == 1)
        }

        @Test func aStreamCutBeforeDoneEndsTheTurnAndA500IsRetried() async throws {
            let fake = try await FakeProviderServer.start([
                .status(500, body: #"{"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}"#),
                .hold(Array(Wire.openAIText(["Cut", " short"]).prefix(3))),
            ])
            defer { fake.stop() }
            let daemon = try DaemonProcess.started(environment: ProviderEnvironment.openAI(fake))
            defer { daemon.stop() }
            let chat = try await ChatSession(daemon: daemon, chatId: "openai-cut")
            try await chat.client.sendMessage("hi", chatId: chat.chatId, token: chat.token)
            _ = try await chat.client.readEvents(chatId: chat.chatId, token: chat.token) { $0.text == "Cut short" }
            fake.dropHeldConnections()
            let events = try await chat.client.readEvents(chatId: chat.chatId, token: chat.token) { $0.completedTurns() == 1 }
            #expect(events.text == "Cut short")
            #expect(events.errorText?.hasPrefix("OpenAI stream ended early: ") == true)
            #expect(fake.requests.count == 2)
        }

        @Test func aLocalCompatibleServerNeedsNoKey() async throws {
            let fake = try await FakeProviderServer.start([.stream(Wire.openAIText(["Local", " model"]))])
            defer { fake.stop() }
            let environment = ProviderEnvironment.openAI(fake, extra: ["OPENAI_API_KEY": "", "AGENT_HOST_MODEL": "openai:llama3.2"])
            let daemon = try DaemonProcess.started(environment: environment)
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "openai-local")
            let events = try await chat.turn("hi")
            #expect(events.text == "Local model")
            #expect(fake.requests.first?.header("authorization") == nil)
            #expect(fake.requests.first?.body["model"] == "llama3.2")
        }
    }
}
