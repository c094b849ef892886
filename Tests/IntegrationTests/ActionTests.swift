import AgentHostClient
import AgentWire
import Foundation
import TestSupport
import Testing

/// Actions end to end (`{"kind":"action"}` on `/in`, `onAction`): the real
/// daemon serving `Plugins/HooksDemo` (undo / again) or `MyChat` (no handler),
/// in a worker process and in-process.
@Suite struct ActionTests {
    static let isolations = ["worker", "in-process"]

    /// One user message input.
    static func message(_ text: String, id: String) -> JSONValue {
        ["kind": "message", "trigger": "submit-message", "message": ["id": .string(id), "role": "user", "parts": [["type": "text", "text": .string(text)]]]]
    }

    /// Sends `input` and reads what follows through the `data-turn-complete` it ends with.
    static func exchange(_ client: AgentHostClient, _ chatId: String, token: String, input: JSONValue) async throws -> [TestEvent] {
        let seq = try await client.using(token: token).send(input, chatId: chatId)
        return try await client.readEvents(chatId: chatId, token: token, lastEventId: seq) { $0.completedTurns() == 1 }
    }

    /// A daemon serving the HooksDemo, and a chat of it that answered "hello" (`u1`).
    static func withDemoChat(
        _ chatId: String, isolation: String, _ body: (AgentHostClient, String) async throws -> Void
    ) async throws {
        try await withDaemon(plugins: [DaemonProcess.plugin("HooksDemo")], arguments: ["--isolation", isolation]) { daemon, client in
            let token = try await client.createSession(chatId, agent: "hooks-demo", secret: daemon.secretKey).token
            _ = try await exchange(client, chatId, token: token, input: message("hello", id: "u1"))
            try await body(client, token)
        }
    }

    /// Sends an action through `AgentHostClient.sendAction` and follows it to its end.
    static func followAction(_ client: AgentHostClient, _ chatId: String, token: String, type: String) async throws -> [UIChunk] {
        let client = client.using(token: token)
        let seq = try await client.sendAction(["type": .string(type)], chatId: chatId)
        var chunks: [UIChunk] = []
        try await client.follow(turn: seq, chatId: chatId) { chunks.append($0) }
        return chunks
    }

    static func action(_ type: String) -> JSONValue { ["kind": "action", "action": ["type": .string(type)]] }

    static func texts(_ history: [UIMessage]) -> [String] {
        history.map { $0.parts.compactMap { $0["text"]?.stringValue }.joined() }
    }

    @Test(arguments: isolations)
    func anActionWithoutAHandlerIsAcknowledgedAndAnswersNothing(isolation: String) async throws {
        try await withDaemon(arguments: ["--isolation", isolation]) { daemon, client in
            let token = try await client.createSession("plain", secret: daemon.secretKey).token
            _ = try await Self.exchange(client, "plain", token: token, input: Self.message("hello", id: "u1"))
            // Before: the action was answered as a turn, repeating the answer to "hello".
            let events = try await Self.exchange(client, "plain", token: token, input: Self.action("undo"))
            #expect(events.map(\.type) == ["data-turn-complete"], "acknowledged, nothing answers it")
            let history = try await client.using(token: token).history("plain")
            #expect(Self.texts(history) == ["hello", "You said: hello"])
            // The session is idle again and answers the next message once.
            let next = try await Self.exchange(client, "plain", token: token, input: Self.message("next", id: "u2"))
            #expect(next.text == "You said: next")
            #expect(try await client.using(token: token).history("plain").count == 4)
            // The Swift client follows an action to its end like a turn.
            #expect(try await Self.followAction(client, "plain", token: token, type: "undo").isEmpty)
        }
    }

    @Test(arguments: isolations)
    func aHandlerThatStartsATurnAnswersWithReasonAction(isolation: String) async throws {
        try await Self.withDemoChat("again", isolation: isolation) { client, token in
            let events = try await Self.exchange(client, "again", token: token, input: Self.action("again"))
            #expect(events.contains { $0.type == "data-history-changed" })
            #expect(events.filter { $0.type == "start" }.count == 1)
            #expect(events.text == "You said: hello")
            let summary = try #require(events.first { $0.type == "data-turn-summary" })
            #expect(summary.json["data"]?["reason"] == "action")
            #expect(summary.json["data"]?["turn"] == 2, "an action that starts a turn counts as one")
            // The old answer was rolled back; the new one replaced it.
            let history = try await client.using(token: token).history("again")
            #expect(Self.texts(history) == ["hello", "You said: hello"])
            #expect(history.last?.id != nil && history.last?.parts.contains { $0["type"] == "data-turn-summary" && $0["data"]?["reason"] == "action" } == true)
        }
    }

    @Test(arguments: isolations)
    func undoRemovesTheExchangeFromHistoryAndModelAcrossKillAndEviction(isolation: String) async throws {
        try await withDaemon(
            plugins: [DaemonProcess.plugin("HooksDemo")], arguments: ["--isolation", isolation, "--idle-timeout", "0.3"]
        ) { daemon, client in
            let token = try await client.createSession("undo", agent: "hooks-demo", secret: daemon.secretKey).token
            _ = try await Self.exchange(client, "undo", token: token, input: Self.message("first", id: "u1"))
            _ = try await Self.exchange(client, "undo", token: token, input: Self.message("second", id: "u2"))
            let undo = try await Self.exchange(client, "undo", token: token, input: Self.action("undo"))
            #expect(!undo.contains { $0.type == "start" }, "undo is not a turn")
            let changed = try #require(undo.first { $0.type == "data-history-changed" })
            #expect(changed.json["transient"] == true)
            let expected = ["first", "You said: first"]
            #expect(Self.texts(try await client.using(token: token).history("undo")) == expected)

            try daemon.crashAndRestart()
            #expect(Self.texts(try await daemon.client.using(token: token).history("undo")) == expected)

            // Let the session leave memory (no stream held open), then wake it from the log.
            var live = -1
            try await waitUntil {
                let metrics = try await daemon.client.send(.GET, "/metrics", token: nil).body
                live = metrics.split(separator: "\n").first { $0.hasPrefix("agent_host_live_sessions ") }
                    .flatMap { Double($0.split(separator: " ")[1]).map { Int($0) } } ?? -1
                return live == 0
            }
            #expect(Self.texts(try await daemon.client.using(token: token).history("undo")) == expected)

            // The model sees the edited conversation: the scripted model names a
            // tool call after the number of messages it was given (2 kept + this one).
            let probe = try await Self.exchange(daemon.client, "undo", token: token, input: Self.message("/tool lookup {}", id: "u3"))
            let call = try #require(probe.first { $0.type == "tool-input-available" })
            #expect(call.json["toolCallId"] == "call_3")
        }
    }

    @Test(arguments: isolations)
    func aThrowingHandlerEndsTheActionWithOneErrorAndTheDaemonKeepsServing(isolation: String) async throws {
        try await Self.withDemoChat("bad", isolation: isolation) { client, token in
            let events = try await Self.exchange(client, "bad", token: token, input: Self.action("explode"))
            #expect(events.map(\.type) == ["error", "data-turn-complete"])
            let text = try #require(events.first?.json["errorText"]?.stringValue)
            #expect(text.contains("onAction") && text.contains("DemoAction"), "\(text)")
            #expect(Self.texts(try await client.using(token: token).history("bad")) == ["hello", "You said: hello"])
            // The Swift client's follow hands the error over.
            let chunks = try await Self.followAction(client, "bad", token: token, type: "explode")
            #expect(chunks.count == 1)
            if case .error = chunks.first {} else { Issue.record("expected an error chunk, got \(chunks)") }
            let next = try await Self.exchange(client, "bad", token: token, input: Self.message("still there?", id: "u2"))
            #expect(next.text == "You said: still there?")
        }
    }
}
