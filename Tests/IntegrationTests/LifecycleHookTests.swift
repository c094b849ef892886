import AgentHostClient
import AgentWire
import Foundation
import TestSupport
import Testing

/// Lifecycle hooks, clientData and the run context, end to end: the real
/// daemon running `Tests/Fixtures/HooksProbe` in a worker process (the
/// default) and in-process. The probe appends every hook call to a journal
/// file and writes what `run` and the turn hooks were told into the response.
@Suite struct LifecycleHookTests {
    static let isolations = ["worker", "in-process"]

    /// A daemon serving the probe, with its journal.
    struct Probe {
        let daemon: DaemonProcess
        let journal: URL

        init(isolation: String = "worker", environment: [String: String] = [:], arguments: [String] = []) throws {
            journal = FileManager.default.temporaryDirectory.appendingPathComponent("hooks-journal-\(UUID().uuidString).jsonl")
            daemon = try DaemonProcess(
                plugins: [DaemonProcess.plugin("HooksProbe")],
                environment: environment.merging(["HOOKS_PROBE_JOURNAL": journal.path]) { $1 },
                arguments: ["--isolation", isolation] + arguments
            )
            try daemon.start()
        }

        func stop() {
            daemon.stop()
            try? FileManager.default.removeItem(at: journal)
        }

        /// The journal's lines for one chat, in order.
        func calls(_ chatId: String) -> [JSONValue] {
            guard let text = try? String(contentsOf: journal, encoding: .utf8) else { return [] }
            return text.split(separator: "\n").compactMap { try? WireCoding.decode(JSONValue.self, from: String($0)) }
                .filter { $0["chatId"]?.stringValue == chatId }
        }

        func hooks(_ chatId: String) -> [String] { calls(chatId).compactMap { $0["hook"]?.stringValue } }

        /// Creates a probe session; returns its token.
        func session(_ chatId: String, clientData: JSONValue? = nil) async throws -> String {
            try await daemon.client.createSession(chatId, agent: "hooks-probe", clientData: clientData).publicAccessToken
        }

        /// Sends one input and reads the turn it starts through its `data-turn-complete`.
        @discardableResult
        func turn(_ chatId: String, token: String, input: JSONValue) async throws -> [TestEvent] {
            let client = daemon.client
            let seq = try await client.using(token: token).send(input, chatId: chatId)
            return try await client.readEvents(chatId: chatId, token: token, lastEventId: seq) { $0.completedTurns() == 1 }
        }

        /// A user message input.
        static func message(_ text: String, id: String = UUID().uuidString, metadata: JSONValue? = nil) -> JSONValue {
            var input: [String: JSONValue] = [
                "kind": "message", "trigger": "submit-message",
                "message": ["id": .string(id), "role": "user", "parts": [["type": "text", "text": .string(text)]]],
            ]
            if let metadata { input["metadata"] = metadata }
            return .object(input)
        }
    }

    @Test(arguments: isolations)
    func eachHookFiresOnceAroundItsTurnInTheLogsOrder(isolation: String) async throws {
        let probe = try Probe(isolation: isolation)
        defer { probe.stop() }
        let token = try await probe.session("order", clientData: ["plan": "pro", "locale": "de"])
        let first = try await probe.turn("order", token: token, input: Probe.message("hello", id: "u1", metadata: ["locale": "fr"]))
        let probes = first.filter { $0.type == "data-probe" }.compactMap { $0.json["data"]?["hook"]?.stringValue }
        #expect(probes == ["onChatStart", "onTurnStart", "onBeforeTurnComplete"])
        let types = first.map(\.type).filter { ["data-turn-start", "start", "data-chat-start", "data-probe", "data-run-context", "finish", "data-turn-complete"].contains($0) }
        #expect(types == [
            "data-turn-start", "start", "data-chat-start", "data-probe", "data-probe", "data-run-context", "data-probe", "finish",
            "data-turn-complete",
        ])
        let context = try #require(first.first { $0.type == "data-run-context" }?.json["data"])
        #expect(context["reason"] == "submit")
        #expect(context["turnNumber"] == 1)
        #expect(context["messageId"] == "u1")
        // The input's metadata merged over the creation clientData, key by key.
        #expect(context["clientData"] == ["plan": "pro", "locale": "fr"])
        // onTurnComplete ran before data-turn-complete was written.
        #expect(probe.hooks("order") == ["onChatStart", "onTurnStart", "run", "onBeforeTurnComplete", "onTurnComplete"])
        let complete = try #require(probe.calls("order").last)
        #expect(complete["text"] == "You said: hello")
        #expect(complete["finishReason"] == "stop")
        #expect(complete["stopped"] == false)
        #expect(complete["clientData"] == ["plan": "pro", "locale": "fr"])

        let second = try await probe.turn("order", token: token, input: Probe.message("again", id: "u2"))
        #expect(!second.contains { $0.type == "data-chat-start" })
        let secondContext = try #require(second.first { $0.type == "data-run-context" }?.json["data"])
        #expect(secondContext["turnNumber"] == 2)
        #expect(secondContext["messageId"] == "u2")
        #expect(secondContext["clientData"] == ["plan": "pro", "locale": "de"], "metadata is per input")
        #expect(probe.hooks("order").filter { $0 == "onChatStart" }.count == 1)
        #expect(probe.hooks("order").suffix(4) == ["onTurnStart", "run", "onBeforeTurnComplete", "onTurnComplete"])
    }

    @Test func onChatStartNeverFiresTwiceAcrossKillAndRedeploy() async throws {
        let probe = try Probe(environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "5"])
        defer { probe.stop() }
        let daemon = probe.daemon
        let gate = TurnGate(directory: daemon.dataDirectory)
        let token = try await probe.session("crash")
        _ = try await daemon.client.using(token: token).send(Probe.message(gate.slow(40), id: "slow"), chatId: "crash")
        _ = try await daemon.client.readEvents(chatId: "crash", token: token) { events in
            events.filter { $0.type == "text-delta" }.count >= 3
        }
        try daemon.crashAndRestart()
        gate.open()
        let resumed = try await daemon.client.readEvents(chatId: "crash", token: token) { $0.completedTurns() == 1 }
        #expect(resumed.contains { $0.type == "data-interrupted" })
        var hooks = probe.hooks("crash")
        #expect(hooks.filter { $0 == "onChatStart" }.count == 1)
        #expect(hooks.filter { $0 == "onTurnStart" }.count == 1, "a resumed turn does not start again")
        #expect(hooks.filter { $0 == "onTurnComplete" }.count == 1)
        let runs = probe.calls("crash").filter { $0["hook"] == "run" }.compactMap { $0["context"]?["reason"]?.stringValue }
        #expect(runs.first == "submit")
        #expect(runs.last == "resumed")

        // A new build of the agent: the chat goes on there, still started once.
        let before = try await daemon.client.waitForAgents(secret: daemon.secretKey) { $0.activeGeneration(of: "hooks-probe") != nil }
            .activeGeneration(of: "hooks-probe")
        try daemon.deploy(DaemonProcess.plugin("HooksProbe"), variant: "v2")
        _ = try await daemon.client.waitForAgents(secret: daemon.secretKey) { $0.activeGeneration(of: "hooks-probe") != before }
        let next = try await probe.turn("crash", token: token, input: Probe.message("after the redeploy"))
        #expect(!next.contains { $0.type == "data-chat-start" })
        #expect(next.first { $0.type == "data-run-context" }?.json["data"]?["turnNumber"] == 2)
        hooks = probe.hooks("crash")
        #expect(hooks.filter { $0 == "onChatStart" }.count == 1)
        #expect(hooks.filter { $0 == "onTurnComplete" }.count == 2)
    }

    @Test(arguments: isolations)
    func stoppedAndFailedTurnsReachOnTurnCompleteAndStopIsNotACancel(isolation: String) async throws {
        let probe = try Probe(isolation: isolation)
        defer { probe.stop() }
        let client = probe.daemon.client
        // Held after its third word (the gate never opens): the stop lands mid-answer.
        let gate = TurnGate(directory: probe.daemon.dataDirectory)
        let token = try await probe.session("stop")
        let seq = try await client.using(token: token).send(Probe.message(gate.slow(40)), chatId: "stop")
        _ = try await client.readEvents(chatId: "stop", token: token, lastEventId: seq) { events in
            events.contains { $0.type == "text-delta" }
        }
        _ = try await client.using(token: token).stop(chatId: "stop")
        let stopped = try await client.readEvents(chatId: "stop", token: token, lastEventId: seq) { $0.completedTurns() == 1 }
        #expect(stopped.contains { $0.type == "abort" })
        let complete = try #require(probe.calls("stop").last { $0["hook"] == "onTurnComplete" })
        #expect(complete["stopped"] == true)
        #expect(complete["finishReason"] == .null)
        let ended = try #require(probe.calls("stop").last { $0["hook"] == "run-ended" })
        #expect(ended["stopSignal"] == true)
        #expect(ended["cancelSignal"] == false)
        #expect(ended["cancelReason"] == "stop")

        let failed = try await probe.turn("stop", token: token, input: Probe.message("boom", metadata: ["failIn": "run"]))
        #expect(failed.filter { $0.type == "error" }.map { $0.json["errorText"] } == ["probe failure in run"])
        let failure = try #require(probe.calls("stop").last { $0["hook"] == "onTurnComplete" })
        #expect(failure["error"] == "probe failure in run")
        #expect(failure["finishReason"] == "error")
        #expect(failure["turnNumber"] == 2)
    }

    @Test(arguments: isolations)
    func aThrowingHookEndsItsTurnWithOneErrorAndTheDaemonServesOn(isolation: String) async throws {
        let probe = try Probe(isolation: isolation)
        defer { probe.stop() }
        for hook in ["onChatStart", "onTurnStart", "onBeforeTurnComplete", "onTurnComplete"] {
            let chatId = "throw-\(hook)"
            let token = try await probe.session(chatId)
            let events = try await probe.turn(chatId, token: token, input: Probe.message("hi", metadata: ["failIn": .string(hook)]))
            let errors = events.filter { $0.type == "error" }.compactMap { $0.json["errorText"]?.stringValue }
            #expect(errors == ["hook `\(hook)` of agent `hooks-probe` failed: probe failure in \(hook)"], "\(hook)")
            #expect(events.last?.type == "data-turn-complete")
            // A hook that fails before `run` keeps `run` from being called.
            let ran = events.contains { $0.type == "data-run-context" }
            #expect(ran == (hook == "onBeforeTurnComplete" || hook == "onTurnComplete"), "\(hook)")
            if hook != "onTurnComplete" {
                #expect(events.contains { $0.json == ["type": "finish", "finishReason": "error"] }, "\(hook)")
            }
            // The same chat answers its next message normally.
            let next = try await probe.turn(chatId, token: token, input: Probe.message("fine"))
            #expect(next.text == "You said: fine", "\(hook)")
            #expect(!next.contains { $0.type == "error" }, "\(hook)")
        }
        // Hooks outside turns are logged: a throwing onChatClose still closes.
        let token = try await probe.session("close", clientData: ["failIn": "onChatClose"])
        try await probe.turn("close", token: token, input: Probe.message("bye"))
        let closed = try await probe.daemon.client.send(.POST, "/api/v1/sessions/close/close", token: probe.daemon.secretKey)
        #expect(closed.status == 200)
        try await waitUntil { probe.hooks("close").contains("onChatClose") }
        #expect(try await probe.daemon.client.send(.GET, "/healthz", token: nil).status == 200)
    }

    @Test func clientDataThatDoesNotDecodeEndsTheTurnWithAClearError() async throws {
        let probe = try Probe()
        defer { probe.stop() }
        let token = try await probe.session("undecodable", clientData: ["plan": "pro"])
        let events = try await probe.turn("undecodable", token: token, input: Probe.message("hi", metadata: ["plan": 42]))
        let errors = events.filter { $0.type == "error" }.compactMap { $0.json["errorText"]?.stringValue }
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("clientData does not fit `Optional<ProbeData>`: `plan` should be of type String") == true)
        #expect(events.contains { $0.json == ["type": "finish", "finishReason": "error"] })
    }

    @Test func clientDataAndEditsAndRegenerateThroughApiChat() async throws {
        let probe = try Probe()
        defer { probe.stop() }
        let daemon = probe.daemon
        let secret = daemon.secretKey
        _ = try await daemon.client.createSession("ai", agent: "hooks-probe", clientData: ["plan": "free", "locale": "en"])
        func post(_ body: JSONValue) async throws -> [JSONValue] {
            let reply = try await daemon.client.send(.POST, "/api/chat/hooks-probe", token: secret, body: body.jsonText)
            #expect(reply.status == 200)
            return reply.body.split(separator: "\n").compactMap { line in
                guard line.hasPrefix("data: "), line != "data: [DONE]" else { return nil }
                return try? WireCoding.decode(JSONValue.self, from: String(line.dropFirst(6)))
            }
        }
        func user(_ id: String, _ text: String) -> JSONValue {
            ["id": .string(id), "role": "user", "parts": [["type": "text", "text": .string(text)]]]
        }
        let first = try await post(["id": "ai", "trigger": "submit-message", "messages": [user("a1", "one")], "metadata": ["plan": "pro"]])
        let context = first.first { $0["type"] == "data-run-context" }?["data"]
        #expect(context?["clientData"] == ["plan": "pro", "locale": "en"])
        #expect(context?["reason"] == "submit")
        _ = try await post(["id": "ai", "trigger": "submit-message", "messages": [user("a1", "one"), user("a2", "two")]])

        // Regenerate: the last answer is replaced, `run` knows why.
        let regenerated = try await post(["id": "ai", "trigger": "regenerate-message", "messages": []])
        #expect(regenerated.first { $0["type"] == "data-run-context" }?["data"]?["reason"] == "regenerate")
        #expect(regenerated.first { $0["type"] == "data-run-context" }?["data"]?["messageId"] == "a2")
        var history = try await daemon.client.using(token: secret).history("ai")
        #expect(history.map(\.role) == ["user", "assistant", "user", "assistant"])

        // Edit the first message: it is replaced, what followed goes, the new text is answered.
        let edited = try await post(["id": "ai", "trigger": "submit-message", "messages": [user("a1", "one, edited")], "messageId": "a1"])
        #expect(edited.compactMap { $0["type"] == "text-delta" ? $0["delta"]?.stringValue : nil }.joined() == "You said: one, edited")
        history = try await daemon.client.using(token: secret).history("ai")
        #expect(history.map(\.id).first == "a1")
        #expect(history.count == 2)
        #expect(history.first?.parts.first?["text"] == "one, edited")

        // The log says the same after a restart.
        try daemon.crashAndRestart()
        let restored = try await daemon.client.using(token: daemon.secretKey).history("ai")
        #expect(restored == history)
    }

    @Test func editAndRegenerateThroughTheRealtimeInput() async throws {
        let probe = try Probe()
        defer { probe.stop() }
        let daemon = probe.daemon
        let token = try await probe.session("rt")
        try await probe.turn("rt", token: token, input: Probe.message("first", id: "m1"))
        try await probe.turn("rt", token: token, input: Probe.message("second", id: "m2"))
        try await probe.turn("rt", token: token, input: Probe.message("third", id: "m3"))

        // Regenerate the answer to m2: it and everything after it go.
        let answers = try await daemon.client.using(token: token).history("rt").filter { $0.role == "assistant" }.map(\.id)
        let regenerated = try await probe.turn(
            "rt", token: token, input: ["kind": "message", "trigger": "regenerate-message", "messageId": .string(answers[1])]
        )
        #expect(regenerated.first { $0.type == "data-run-context" }?.json["data"]?["reason"] == "regenerate")
        #expect(regenerated.first { $0.type == "data-run-context" }?.json["data"]?["messageId"] == "m2")
        var history = try await daemon.client.using(token: token).history("rt")
        #expect(history.map(\.role) == ["user", "assistant", "user", "assistant"])
        #expect(history.last?.parts.compactMap { $0["text"]?.stringValue }.joined() == "You said: second")

        // Edit m1: replaced, the rest dropped, answered again.
        try await probe.turn("rt", token: token, input: Probe.message("first, edited", id: "m1"))
        history = try await daemon.client.using(token: token).history("rt")
        #expect(history.map(\.id).first == "m1")
        #expect(history.map(\.role) == ["user", "assistant"])
        #expect(history.last?.parts.compactMap { $0["text"]?.stringValue }.joined() == "You said: first, edited")
        try daemon.crashAndRestart()
        #expect(try await daemon.client.using(token: token).history("rt") == history)
    }

    @Test func theHooksDemoRecordsItsTurnsAndSummarisesTheAnswer() async throws {
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("hooks-demo-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: store) }
        try await withDaemon(plugins: [DaemonProcess.plugin("HooksDemo")], environment: ["HOOKS_DEMO_STORE": store.path]) { daemon, client in
            let token = try await client.createSession("demo", agent: "hooks-demo", clientData: ["plan": "pro"]).publicAccessToken
            let seq = try await client.using(token: token).send(Probe.message("hello", metadata: ["locale": "de"]), chatId: "demo")
            let events = try await client.readEvents(chatId: "demo", token: token, lastEventId: seq) { $0.completedTurns() == 1 }
            #expect(events.text == "You said: hello")
            let summary = try #require(events.first { $0.type == "data-turn-summary" })
            #expect(summary.json["data"] == ["turn": 1, "reason": "submit", "stopped": false])
            let lines = try String(contentsOf: store, encoding: .utf8).split(separator: "\n")
                .compactMap { try? WireCoding.decode(JSONValue.self, from: String($0)) }
            #expect(lines.compactMap { $0["event"]?.stringValue } == ["chat-start", "turn-start", "turn-complete"])
            #expect(lines.first?["clientData"] == ["plan": "pro", "locale": "de"])
            #expect(lines.last?["finishReason"] == "stop")
            // A clientData that does not fit `Preferences` ends the turn with an error part.
            let bad = try await client.using(token: token).send(Probe.message("again", metadata: ["plan": 7]), chatId: "demo")
            let failed = try await client.readEvents(chatId: "demo", token: token, lastEventId: bad) { $0.completedTurns() == 1 }
            #expect(failed.filter { $0.type == "error" }.count == 1)
        }
    }

    @Test(arguments: isolations)
    func suspendResumeAndCloseFireOutsideTurnsInOrder(isolation: String) async throws {
        let probe = try Probe(isolation: isolation, arguments: ["--idle-timeout", "0.3"])
        defer { probe.stop() }
        let token = try await probe.session("idle")
        try await probe.turn("idle", token: token, input: Probe.message("hi"))
        try await waitUntil { probe.hooks("idle").contains("onSuspend") }
        try await probe.turn("idle", token: token, input: Probe.message("back"))
        let hooks = probe.hooks("idle")
        let suspend = try #require(hooks.firstIndex(of: "onSuspend"))
        let resume = try #require(hooks.firstIndex(of: "onResume"))
        #expect(suspend < resume)
        #expect(hooks[resume...].prefix(2) == ["onResume", "onTurnStart"], "onResume is over before the next turn starts")
        _ = try await probe.daemon.client.send(.POST, "/api/v1/sessions/idle/close", token: probe.daemon.secretKey)
        try await waitUntil { probe.hooks("idle").contains("onChatClose") }
        #expect(probe.hooks("idle").filter { $0 == "onChatClose" }.count == 1)
    }
}
