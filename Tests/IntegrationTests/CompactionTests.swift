import AgentWire
import Foundation
import TestSupport
import Testing

extension ProviderIntegration {
    /// Compaction against a fake Anthropic server: the bundled `long-chat`
    /// agent compacts once a step reads more than 2,000 input tokens; the next
    /// request carries the summary instead of the old messages, `/messages`
    /// keeps them, and a restart keeps the compaction (it is in the log).
    @Suite struct CompactionTests {
        @Test func aCompactionReplacesOldMessagesForTheModelOnlyAndSurvivesARestart() async throws {
            let fake = try await FakeProviderServer.start([
                .stream(Wire.anthropicText(["Noted", " 42."], inputTokens: 5_000)),
                .stream(Wire.anthropicText(["SUMMARY-ONE"], inputTokens: 60)),
                .stream(Wire.anthropicText(["It was 42."], inputTokens: 40)),
                .stream(Wire.anthropicText(["Still 42."], inputTokens: 40)),
            ])
            defer { fake.stop() }
            let daemon = try DaemonProcess.started(plugins: [DaemonProcess.toolsDemoPlugin], environment: ProviderEnvironment.anthropic(fake))
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "compact", agent: "long-chat")

            let first = try await chat.turn("Remember the number 42")
            let compacted = try #require(first.first("data-compacted"))
            #expect(compacted["transient"] == true)
            #expect(compacted["data"]?["tokensBefore"] == 5_000)
            let tokensAfter = try #require(compacted["data"]?["tokensAfter"]?.doubleValue)
            #expect(tokensAfter > 0 && tokensAfter < 5_000)
            // After the answer's `finish`, before the turn's end.
            let types = first.types
            #expect(types.suffix(2) == ["data-compacted", "data-turn-complete"])
            // The summary request: the conversation, then the prompt.
            #expect(fake.requests.count == 2)
            let summaryRequest = fake.requests[1].body["messages"]?.arrayValue ?? []
            #expect(summaryRequest.first?["content"]?.arrayValue?.first?["text"] == "Remember the number 42")
            #expect(summaryRequest.last?["content"]?.arrayValue?.first?["text"]?.stringValue?.hasPrefix("Summarize the conversation") == true)

            let second = try await chat.turn("What was it?")
            #expect(second.text == "It was 42.")
            #expect(second.first("data-compacted") == nil)  // 40 tokens: under the threshold
            // The summary, then what came after it: one user turn on Anthropic's wire.
            let summary: JSONValue = ["type": "text", "text": "Summary of the conversation so far:\nSUMMARY-ONE"]
            let question: JSONValue = ["role": "user", "content": [summary, ["type": "text", "text": "What was it?"]]]
            #expect(fake.requests[2].body["messages"] == [question])
            // The UI history is whole.
            #expect(try await chat.history().map { $0["role"]?.stringValue ?? "" } == ["user", "assistant", "user", "assistant"])

            try daemon.crashAndRestart()
            chat.client = daemon.client
            let third = try await chat.turn("And now?")
            #expect(third.text == "Still 42.")
            #expect(fake.requests[3].body["messages"] == [
                question,
                ["role": "assistant", "content": [["type": "text", "text": "It was 42."]]],
                ["role": "user", "content": [["type": "text", "text": "And now?"]]],
            ])
            #expect(try await chat.history().count == 6)
        }
    }
}
