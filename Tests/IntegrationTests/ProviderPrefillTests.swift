import AgentHost
import AgentWire
import Foundation
import Testing

extension ProviderIntegration {
    /// Resuming an interrupted step: the provider side of crash and migration
    /// recovery, driven directly on the provider clients against the fake server.
    @Suite struct ProviderPrefillTests {
        private func collect(_ stream: AsyncThrowingStream<ModelEvent, any Error>) async throws -> (text: String, events: [ModelEvent]) {
            var events: [ModelEvent] = []
            for try await event in stream { events.append(event) }
            let text = events.compactMap { event -> String? in if case .textDelta(let delta) = event { delta } else { nil } }.joined()
            return (text, events)
        }

        @Test func anthropicSendsTheStreamedTextAsPrefillAndStreamsOnlyTheContinuation() async throws {
            let fake = try await FakeProviderServer.start([.stream(Wire.anthropicText([" 4", ", 5."]))])
            defer { fake.stop() }
            let model = AnthropicModel(model: "claude-test", apiKey: "sk-ant-test-key", baseURL: fake.baseURL)
            #expect(model.supportsAssistantPrefill)

            let request = ModelRequest(system: nil, messages: [.user("Count to five")], tools: [], assistantPrefix: "1, 2, 3, ")
            let answer = try await collect(model.stream(request))
            #expect(answer.text == "4, 5.")
            #expect("1, 2, 3, " + answer.text == "1, 2, 3, 4, 5.")
            #expect(answer.events.last == .finish(.stop))

            #expect(fake.requests.first?.body["messages"] == [
                ["role": "user", "content": [["type": "text", "text": "Count to five"]]],
                ["role": "assistant", "content": [["type": "text", "text": "1, 2, 3,"]]],
            ])
        }

        @Test func anthropicPrefillAfterAToolResultContinuesTheSecondStep() async throws {
            let fake = try await FakeProviderServer.start([.stream(Wire.anthropicText(["is 5."]))])
            defer { fake.stop() }
            let model = AnthropicModel(model: "claude-test", apiKey: "k", baseURL: fake.baseURL)
            let request = ModelRequest(system: nil, messages: [
                .user("2+3?"),
                .assistant(text: "", toolCalls: [ModelToolCall(id: "toolu_1", name: "calculator", input: ["expression": "2+3"])]),
                .toolResult(callId: "toolu_1", name: "calculator", output: 5, isError: false),
            ], tools: [], assistantPrefix: "The answer")
            #expect(try await collect(model.stream(request)).text == "is 5.")
            #expect(fake.requests.first?.body["messages"]?.arrayValue?.last == [
                "role": "assistant", "content": [["type": "text", "text": "The answer"]],
            ])
        }

        /// Chat Completions documents no prefill: the prefix goes as a final assistant
        /// message (compatible servers continue it) and the model says it cannot promise.
        @Test func openAISendsThePrefixAsAFinalAssistantMessage() async throws {
            let fake = try await FakeProviderServer.start([.stream(Wire.openAIText([" 4, 5."]))])
            defer { fake.stop() }
            let model = OpenAIModel(model: "gpt-test", apiKey: "k", baseURL: "\(fake.baseURL)/v1")
            #expect(!model.supportsAssistantPrefill)
            let request = ModelRequest(system: nil, messages: [.user("Count to five")], tools: [], assistantPrefix: "1, 2, 3,")
            #expect(try await collect(model.stream(request)).text == " 4, 5.")
            #expect(fake.requests.first?.body["messages"] == [
                ["role": "user", "content": "Count to five"], ["role": "assistant", "content": "1, 2, 3,"],
            ])
        }
    }
}
