import AgentWire
import Foundation
import TestSupport
import Testing

/// Injected context, deferred work and `prepareMessages`, with the bundled
/// `context-demo` agent (HooksDemo) and the scripted model, whose `/history`
/// answer lists every message the model was given: the context lands where
/// it should, once, across kill -9; `/messages` never shows it.
@Suite(.serialized) struct ContextInjectionTests {
    static let context = "context-injected"

    /// The demo's store, where its deferred work records what it did.
    struct Store {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("context-demo-\(UUID().uuidString).jsonl")
        var events: [String] {
            let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line in
                (try? WireCoding.decode(JSONValue.self, from: String(line)))?["event"]?.stringValue
            }
        }
    }

    private func daemon(_ store: Store, isolation: String = "in-process") throws -> DaemonProcess {
        let daemon = try DaemonProcess(
            plugins: [DaemonProcess.plugin("HooksDemo")], environment: ["HOOKS_DEMO_STORE": store.url.path],
            arguments: ["--isolation", isolation]
        )
        try daemon.start()
        return daemon
    }

    /// How often `text` appears in the model's view the `/history` turn reported.
    private func count(_ text: String, in turn: [TestEvent]) -> Int {
        turn.text.components(separatedBy: text).count - 1
    }

    @Test(arguments: ["in-process", "worker"])
    func anInjectionDuringAToolTurnReachesTheNextModelRequestOnce(isolation: String) async throws {
        let store = Store()
        let daemon = try daemon(store, isolation: isolation)
        defer { daemon.stop() }
        var chat = try await ChatSession(daemon: daemon, chatId: "note", agent: "context-demo")
        let first = try await chat.turn(#"/tool note {"fact":"blue"}"#)
        // Step 2's request ended with the context: the scripted model answers it.
        #expect(first.text == "You said: <context>Noted fact: blue</context>")
        #expect(first.filter { $0.type == "data-\(Self.context)" }.count == 1)
        let history = try await chat.turn("/history")
        #expect(history.text.contains("tool: note(call_1) | user: <context>Noted fact: blue</context> | assistant: You said:"))
        #expect(count("user: <context>Noted fact: blue</context>", in: history) == 1)
        // Not a chat message: two turns, four messages.
        #expect(try await chat.history().map { $0["role"]?.stringValue ?? "" } == ["user", "assistant", "user", "assistant"])
    }

    @Test func anInjectionAfterTheLastStepIsReadByTheNextTurnAheadOfItsMessageEvenAfterKill9() async throws {
        let store = Store()
        let daemon = try daemon(store)
        defer { daemon.stop() }
        var chat = try await ChatSession(daemon: daemon, chatId: "later", agent: "context-demo")
        let first = try await chat.turn("/later green")
        #expect(first.text == "You said: /later green")
        #expect(first.first("data-\(Self.context)") == nil)
        // Acknowledged before the crash, never placed: the next request after the restart has it.
        try daemon.crashAndRestart()
        chat.client = daemon.client
        let second = try await chat.turn("/history")
        #expect(second.first("data-\(Self.context)") != nil)
        #expect(second.text.hasSuffix("user: <context>Later: green</context> | user: /history"))
        let third = try await chat.turn("/history")
        // Once as the context, once inside the second answer, which listed it.
        #expect(count("<context>Later: green</context>", in: third) == 2)
        #expect(third.first("data-\(Self.context)") == nil)
        #expect(try await chat.history().count == 6)
    }

    @Test(arguments: ["in-process", "worker"])
    func aDeferredResultIsReadBeforeTheNextTurnOnceAcrossARestart(isolation: String) async throws {
        let store = Store()
        let daemon = try daemon(store, isolation: isolation)
        defer { daemon.stop() }
        var chat = try await ChatSession(daemon: daemon, chatId: "defer", agent: "context-demo")
        _ = try await chat.turn("/defer tides")
        // The next turn waits for the result before its model request.
        let second = try await chat.turn("/history")
        #expect(second.text.hasSuffix("user: <context>Deferred: tides</context> | user: /history"))
        #expect(store.events.filter { $0 == "deferred-done" }.count == 1)
        try daemon.crashAndRestart()
        chat.client = daemon.client
        let third = try await chat.turn("/history")
        // Once as the context, once inside the second answer, which listed it.
        #expect(count("<context>Deferred: tides</context>", in: third) == 2)
    }

    @Test func deferredWorkCutOffByKill9IsRecordedFailedNeverInjected() async throws {
        let store = Store()
        let gate = FileManager.default.temporaryDirectory.appendingPathComponent("gate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: gate) }
        let daemon = try daemon(store)
        defer { daemon.stop() }
        var chat = try await ChatSession(daemon: daemon, chatId: "cut", agent: "context-demo")
        _ = try await chat.turn("/defer-wait \(gate.path)")
        try await waitUntil { store.events.contains("deferred-start") }
        try daemon.crashAndRestart()
        chat.client = daemon.client
        FileManager.default.createFile(atPath: gate.path, contents: Data())
        let second = try await chat.turn("/history")
        #expect(!second.text.contains("Waited for"))
        #expect(second.first("data-\(Self.context)") == nil)
        let third = try await chat.turn("/history")
        #expect(!third.text.contains("Waited for"))
        // The work was never run again.
        #expect(store.events.filter { $0 == "deferred-start" }.count == 1)
    }

    @Test func closingTheSessionCancelsItsDeferredWork() async throws {
        let store = Store()
        let gate = FileManager.default.temporaryDirectory.appendingPathComponent("gate-\(UUID().uuidString)")
        let daemon = try daemon(store)
        defer { daemon.stop() }
        var chat = try await ChatSession(daemon: daemon, chatId: "closing", agent: "context-demo")
        _ = try await chat.turn("/defer-wait \(gate.path)")
        try await waitUntil { store.events.contains("deferred-start") }
        #expect(try await daemon.client.send(.POST, "/api/v1/sessions/closing/close", token: daemon.secretKey).status == 200)
        try await waitUntil { store.events.contains("deferred-cancelled") }
        #expect(!store.events.contains("deferred-done"))
    }
}

extension ProviderIntegration {
    /// `prepareMessages` against a fake Anthropic server: the provider gets the
    /// agent's transformed messages, `/messages` keeps the originals, and the
    /// next request is prepared from the originals again.
    @Suite struct PrepareMessagesTests {
        @Test func theProviderGetsThePreparedMessagesTheHistoryKeepsTheOriginals() async throws {
            let fake = try await FakeProviderServer.start([
                .stream(Wire.anthropicText(["Got", " it."], inputTokens: 20)),
                .stream(Wire.anthropicText(["Sure."], inputTokens: 20)),
            ])
            defer { fake.stop() }
            let daemon = try DaemonProcess.started(plugins: [DaemonProcess.plugin("HooksDemo")], environment: ProviderEnvironment.anthropic(fake))
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "pii", agent: "context-demo")
            _ = try await chat.turn("Mail me at ada@example.com please")
            _ = try await chat.turn("And bob@example.org too")
            let user = { (text: String) -> JSONValue in ["role": "user", "content": [["type": "text", "text": .string(text)]]] }
            #expect(fake.requests[0].body["messages"] == [user("Mail me at [email] please")])
            #expect(fake.requests[1].body["messages"] == [
                user("Mail me at [email] please"),
                ["role": "assistant", "content": [["type": "text", "text": "Got it."]]],
                user("And [email] too"),
            ])
            let texts = try await chat.history().map { message in
                (message["parts"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
            }
            #expect(texts == ["Mail me at ada@example.com please", "Got it.", "And bob@example.org too", "Sure."])
        }
    }
}
