import AgentHostClient
import AgentWire
import Foundation
import TestSupport
import Testing

extension ProviderIntegration {
    /// Compaction's plugin side and its inner loop, against a fake Anthropic
    /// server (its usage reports decide the predicate; its recorded request
    /// bodies show what the model was sent): a custom predicate and summariser
    /// run in the plugin (both isolation modes), compaction between the steps of
    /// a tool turn keeps the step's call and result whole after the summary,
    /// `prepareMessages` learns why a request is made and sets cache breakpoints
    /// that reach Anthropic as `cache_control`, lifecycle hooks inject context,
    /// and an action that rolls back past a compaction drops it. The agents are
    /// `Tests/Fixtures/HooksProbe/CompactionProbe.swift`, which journal each call.
    @Suite struct CompactionHookTests {
        /// An Anthropic answer that calls `lookup` once.
        static func lookupCall(id: String, topic: String, inputTokens: Int) -> [String] {
            [
                Wire.anthropic("message_start", #"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-test","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":\#(inputTokens),"output_tokens":1}}}"#),
                Wire.anthropic("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"\#(id)","name":"lookup","input":{}}}"#),
                Wire.anthropic("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"topic\":\"\#(topic)\"}"}}"#),
                Wire.anthropic("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
                Wire.anthropic("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":10}}"#),
                Wire.anthropic("message_stop", #"{"type":"message_stop"}"#),
            ]
        }

        static let toolUse: JSONValue = ["type": "tool_use", "id": "toolu_1", "name": "lookup", "input": ["topic": "tides"]]
        static let toolResult: JSONValue = ["type": "tool_result", "tool_use_id": "toolu_1", "content": "facts about tides"]
        static let ephemeral: JSONValue = ["type": "ephemeral"]

        /// `block` with `cache_control` set.
        static func cached(_ block: JSONValue) -> JSONValue {
            guard case .object(var fields) = block else { return block }
            fields["cache_control"] = ephemeral
            return .object(fields)
        }

        static func text(_ text: String) -> JSONValue { ["type": "text", "text": .string(text)] }

        @Test(arguments: ["worker", "in-process"])
        func aCustomPredicateAndSummariserCompactBetweenStepsKeepingTheStepsCallAndResultWhole(isolation: String) async throws {
            let fake = try await FakeProviderServer.start([
                .stream(Wire.anthropicText(["Hi."], inputTokens: 100)),
                .stream(Self.lookupCall(id: "toolu_1", topic: "tides", inputTokens: 5_000)),
                .stream(Wire.anthropicText(["Tides rise."], inputTokens: 200)),
                .stream(Wire.anthropicText(["Still tides."], inputTokens: 250)),
            ])
            defer { fake.stop() }
            let probe = try LifecycleHookTests.Probe(isolation: isolation, environment: ProviderEnvironment.anthropic(fake))
            defer { probe.stop() }
            var chat = try await ChatSession(daemon: probe.daemon, chatId: "inner-\(isolation)", agent: "compaction-probe")

            _ = try await chat.turn("hello")
            let turn = try await chat.turn("look up tides")
            // Compacted at the boundary: after the call's output, before the next step.
            let types = turn.types.filter { ["tool-output-available", "data-compacted", "start-step", "finish"].contains($0) }
            #expect(types == ["start-step", "tool-output-available", "data-compacted", "start-step", "finish"])
            let compacted = try #require(turn.first("data-compacted"))
            #expect(compacted["data"]?["tokensBefore"] == 5_000)
            #expect(turn.text == "Tides rise.")

            // The plugin decided and summarised: no summary request reached the model.
            let checks = probe.journalled("shouldCompact").filter { $0["chatId"]?.stringValue == chat.chatId }
            #expect(checks.compactMap { $0["source"]?.stringValue } == ["turnEnd", "betweenSteps", "turnEnd"])
            #expect(checks[1]["inputTokens"] == 5_000)
            #expect(checks[1]["totalTokens"] == 5_010)
            #expect(probe.journalled("summarize").map { $0["texts"] } == [["hello", "look up tides"]])
            try #require(fake.requests.count == 3)
            // The next step: the summary, then the call and its result; breakpoints on the first and last block.
            let summary = "Summary of the conversation so far:\nNOTES: hello; look up tides"
            #expect(fake.requests[2].body["messages"] == [
                ["role": "user", "content": [Self.cached(Self.text(summary))]],
                ["role": "assistant", "content": [Self.toolUse]],
                ["role": "user", "content": [Self.cached(Self.toolResult)]],
            ])
            let reasons = probe.journalled("prepareMessages").compactMap { $0["reason"]?.stringValue }
            #expect(reasons == ["run", "run", "compaction-rebuild"])
            // `/messages` stays whole.
            #expect(try await chat.history().map { $0["role"]?.stringValue ?? "" } == ["user", "assistant", "user", "assistant"])

            // The compaction is in the log: after a restart the next turn starts from the summary too.
            try probe.daemon.crashAndRestart()
            chat.client = probe.daemon.client
            _ = try await chat.turn("and now?")
            try #require(fake.requests.count == 4)
            #expect(fake.requests[3].body["messages"] == [
                ["role": "user", "content": [Self.cached(Self.text(summary))]],
                ["role": "assistant", "content": [Self.toolUse]],
                ["role": "user", "content": [Self.toolResult]],
                ["role": "assistant", "content": [Self.text("Tides rise.")]],
                ["role": "user", "content": [Self.cached(Self.text("and now?"))]],
            ])
            #expect(probe.journalled("prepareMessages").last?["reason"] == "run")
        }

        @Test func aSummariserThatThrowsLeavesTheConversationWholeAndTheTurnFinished() async throws {
            let fake = try await FakeProviderServer.start([
                .stream(Wire.anthropicText(["Noted."], inputTokens: 5_000)),
                .stream(Wire.anthropicText(["Sure."], inputTokens: 100)),
            ])
            defer { fake.stop() }
            let probe = try LifecycleHookTests.Probe(environment: ProviderEnvironment.anthropic(fake))
            defer { probe.stop() }
            var chat = try await ChatSession(daemon: probe.daemon, chatId: "refused", agent: "compaction-probe")

            let turn = try await chat.turn("please fail-summary")
            #expect(turn.first("data-compacted") == nil)
            #expect(turn.errorText == nil)
            #expect(turn.finishReason == "stop")
            #expect(probe.journalled("summarize").count == 1)
            _ = try await chat.turn("next")
            try #require(fake.requests.count == 2)
            let messages = fake.requests[1].body["messages"]?.arrayValue ?? []
            #expect(messages.count == 3)
            #expect(messages.first?["content"]?.arrayValue?.first?["text"] == "please fail-summary")
        }

        /// The default predicate and summariser, between steps: the model writes
        /// the summary, its request goes through `prepareMessages` as `compaction-result`.
        @Test func theModelsSummaryBetweenStepsGoesThroughPrepareMessagesAsACompactionResult() async throws {
            let fake = try await FakeProviderServer.start([
                .stream(Self.lookupCall(id: "toolu_1", topic: "tides", inputTokens: 5_000)),
                .stream(Wire.anthropicText(["SUMMARY-A"], inputTokens: 80)),
                .stream(Wire.anthropicText(["Tides rise."], inputTokens: 200)),
            ])
            defer { fake.stop() }
            let probe = try LifecycleHookTests.Probe(isolation: "in-process", environment: ProviderEnvironment.anthropic(fake))
            defer { probe.stop() }
            var chat = try await ChatSession(daemon: probe.daemon, chatId: "model-summary", agent: "compaction-model-probe")

            let turn = try await chat.turn("look up tides")
            #expect(turn.first("data-compacted") != nil)
            try #require(fake.requests.count == 3)
            // The summary request: the conversation before the answer, then the prompt (marked by prepareMessages).
            let summaryRequest = fake.requests[1].body["messages"]?.arrayValue ?? []
            #expect(summaryRequest.count == 1)
            let prompt = summaryRequest.first?["content"]?.arrayValue ?? []
            #expect(prompt.first == Self.text("look up tides"))
            #expect(prompt.last?["text"]?.stringValue?.hasPrefix("Summarize the conversation") == true)
            #expect(prompt.last?["cache_control"] == Self.ephemeral)
            #expect(fake.requests[2].body["messages"] == [
                ["role": "user", "content": [Self.text("Summary of the conversation so far:\nSUMMARY-A")]],
                ["role": "assistant", "content": [Self.toolUse]],
                ["role": "user", "content": [Self.cached(Self.toolResult)]],
            ])
            let reasons = probe.journalled("prepareMessages").compactMap { $0["reason"]?.stringValue }
            #expect(reasons == ["run", "compaction-result", "compaction-rebuild"])
        }

        /// `onTurnComplete` leaves context for the next turn; `onTurnStart` for its own first request.
        @Test(arguments: ["worker", "in-process"])
        func lifecycleHooksInjectContextTheNextModelRequestReads(isolation: String) async throws {
            let fake = try await FakeProviderServer.start([
                .stream(Wire.anthropicText(["One."])),
                .stream(Wire.anthropicText(["Two."])),
                .stream(Wire.anthropicText(["Three."])),
            ])
            defer { fake.stop() }
            let probe = try LifecycleHookTests.Probe(isolation: isolation, environment: ProviderEnvironment.anthropic(fake))
            defer { probe.stop() }
            var after = try await ChatSession(
                daemon: probe.daemon, chatId: "inject-after-\(isolation)", agent: "compaction-probe", clientData: ["injectFrom": "onTurnComplete"]
            )
            _ = try await after.turn("first")
            try #require(fake.requests.count == 1)
            #expect(fake.requests[0].body["messages"] == [["role": "user", "content": [Self.cached(Self.text("first"))]]])
            _ = try await after.turn("second")
            try #require(fake.requests.count == 2)
            // Ahead of the message the turn answers, as `run.inject` after the last step.
            let second = fake.requests[1].body["messages"]?.arrayValue ?? []
            #expect(second.last?["content"] == [
                Self.text("<context>from onTurnComplete</context>"), Self.cached(Self.text("second")),
            ])
            #expect(try await after.history().count == 4)  // not a chat message

            var before = try await ChatSession(
                daemon: probe.daemon, chatId: "inject-start-\(isolation)", agent: "compaction-probe", clientData: ["injectFrom": "onTurnStart"]
            )
            _ = try await before.turn("hello")
            try #require(fake.requests.count == 3)
            #expect(fake.requests[2].body["messages"] == [
                ["role": "user", "content": [Self.cached(Self.text("<context>from onTurnStart</context>")), Self.cached(Self.text("hello"))]],
            ])
        }

        /// An action that rolls the history back past a compaction's cover drops
        /// the compaction: the next request is rebuilt from the remaining messages.
        @Test func aRollbackPastACompactionDropsItAndTheNextRequestIsRebuiltFromWhatRemains() async throws {
            let fake = try await FakeProviderServer.start([
                .stream(Wire.anthropicText(["A1."], inputTokens: 100)),
                .stream(Wire.anthropicText(["A2."], inputTokens: 5_000)),
                .stream(Wire.anthropicText(["A3."], inputTokens: 100)),
                .stream(Wire.anthropicText(["A4."], inputTokens: 100)),
            ])
            defer { fake.stop() }
            let probe = try LifecycleHookTests.Probe(isolation: "in-process", environment: ProviderEnvironment.anthropic(fake))
            defer { probe.stop() }
            var chat = try await ChatSession(daemon: probe.daemon, chatId: "rollback", agent: "compaction-probe")

            _ = try await chat.turn("one")
            let second = try await chat.turn("two")
            #expect(second.first("data-compacted") != nil)  // covers one, A1, two, A2
            _ = try await chat.turn("three")
            try #require(fake.requests.count == 3)
            let third = fake.requests[2].body["messages"]?.arrayValue?.first?["content"]?.arrayValue?.first
            #expect(third?["text"] == "Summary of the conversation so far:\nNOTES: one; two")

            // Back to the first answer: the summary told of messages that are gone.
            let firstAnswer = try #require(try await chat.history()[1]["id"]?.stringValue)
            try await chat.client.using(token: chat.token).sendAction(["rollbackTo": .string(firstAnswer)], chatId: chat.chatId)
            let action = try await chat.nextTurn()
            #expect(action.first("data-history-changed") != nil)
            _ = try await chat.turn("four")
            try #require(fake.requests.count == 4)
            #expect(fake.requests[3].body["messages"] == [
                ["role": "user", "content": [Self.cached(Self.text("one"))]],
                ["role": "assistant", "content": [Self.text("A1.")]],
                ["role": "user", "content": [Self.cached(Self.text("four"))]],
            ])
            // The same after a restart: the log, not memory, dropped it.
            try probe.daemon.crashAndRestart()
            chat.client = probe.daemon.client
            #expect(try await chat.history().compactMap { $0["role"]?.stringValue } == ["user", "assistant", "user", "assistant"])
        }
    }
}

extension LifecycleHookTests.Probe {
    /// The journal's lines for `hook`, in order, of any chat (a summariser's have none).
    func journalled(_ hook: String) -> [JSONValue] {
        guard let text = try? String(contentsOf: journal, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? WireCoding.decode(JSONValue.self, from: String($0)) }
            .filter { $0["hook"]?.stringValue == hook }
    }
}
