import AgentWire
import Foundation
import TestSupport
import Testing

extension ProviderIntegration {
    /// Crash recovery through a real provider: the daemon is killed while Anthropic
    /// streams, restarts, and re-requests the interrupted step with the text already
    /// streamed as an assistant prefill, so the answer continues instead of restarting.
    @Suite struct ProviderResumeTests {
        @Test func aStepCutOffByACrashContinuesFromAnAnthropicPrefill() async throws {
            let partial = Array(Wire.anthropicText(["The answer", " is"]).prefix(5))
            let fake = try await FakeProviderServer.start([.hold(partial), .stream(Wire.anthropicText([" 42."]))])
            defer { fake.stop() }
            let daemon = try DaemonProcess.started(environment: ProviderEnvironment.anthropic(fake))
            defer { daemon.stop() }
            var client = daemon.client
            let token = try await client.createSession("resume-anthropic", secret: daemon.secretKey).token

            try await client.sendMessage("What is the answer?", chatId: "resume-anthropic", token: token)
            let beforeCrash = try await client.readEvents(chatId: "resume-anthropic", token: token) { $0.text == "The answer is" }
            try daemon.crashAndRestart()
            client = daemon.client

            let everything = try await client.readEvents(chatId: "resume-anthropic", token: token) { $0.completedTurns() == 1 }
            #expect(Array(everything.prefix(beforeCrash.count)) == beforeCrash)
            #expect(everything.text == "The answer is 42.")
            // One step, one text part: the continuation goes on in the part that was open.
            #expect(everything.filter { $0.type == "start-step" }.count == 1)
            #expect(everything.filter { $0.type == "text-start" }.count == 1)
            #expect(everything.filter { $0.type == "data-interrupted" }.count == 1)
            #expect(everything.finishReason == "stop")

            #expect(fake.requests.count == 2)
            let question: JSONValue = ["role": "user", "content": [["type": "text", "text": "What is the answer?"]]]
            #expect(fake.requests.first?.body["messages"] == [question])
            #expect(fake.requests.last?.body["messages"] == [
                question,
                ["role": "assistant", "content": [["type": "text", "text": "The answer is"]]],
            ])

            let history = try await client.send(.GET, "/realtime/v1/sessions/resume-anthropic/messages", token: token)
            let answer = history.json?["messages"]?.arrayValue?.last?["parts"]?.arrayValue?.compactMap { $0["text"]?.stringValue }
            #expect(answer == ["The answer is 42."])
        }
    }
}
