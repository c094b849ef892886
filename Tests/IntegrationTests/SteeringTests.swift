import AgentHostClient
import AgentWire
import Foundation
import TestSupport
import Testing

/// Messages sent while a turn runs, by the agent's `messageConcurrency` or the
/// message's `mode`: steered into the running turn at its next step boundary
/// (where the log and `/messages` then show them), the next turn when no
/// boundary comes, never lost or answered twice across kill -9; and the
/// Cloudflare policies. The turn is held open by a C tool, `gate`, that returns
/// only once the file its input names exists: no timing decides anything.
@Suite struct SteeringTests {
    /// Agents: `c-steer` (`messageConcurrency: steer`, up to 4 steps) and
    /// `c-onestep` (the default `queue`, 1 step: its turn has no boundary).
    static let source = """
    \(CPluginTests.modelStreamPrelude)
    static agent_status start_turn(uint64_t turn, agent_str request) {
        int one = 0;
        for (size_t i = 0; i + 9 <= request.len; i++) if (memcmp(request.ptr + i, "c-onestep", 9) == 0) one = 1;
        return host->call_service(host->host_ctx, turn, str("model.stream"), str(one ? "{\\"maxSteps\\":1}" : "{\\"maxSteps\\":4}"),
                                  (void *)(uintptr_t)turn, stream_done);
    }
    static void cancel_turn(uint64_t turn) { (void)turn; }
    struct wait { char path[512]; void *ctx; agent_tool_done_fn done; };
    static void *wait_for_file(void *arg) {
        struct wait *w = arg;
        while (access(w->path, F_OK) != 0) usleep(10000);
        w->done(w->ctx, AGENT_OK, str("\\"open\\""));
        free(w);
        return NULL;
    }
    static agent_status call_tool(uint64_t turn, agent_str args, void *ctx, agent_tool_done_fn done) {
        (void)turn;
        static const char key[] = "\\"path\\":\\"";
        struct wait *w = calloc(1, sizeof *w);
        if (!w) return AGENT_ERR_INTERNAL;
        for (size_t i = 0; i + sizeof key - 1 <= args.len; i++) {
            if (memcmp(args.ptr + i, key, sizeof key - 1) != 0) continue;
            size_t start = i + sizeof key - 1, n = 0;
            while (start + n < args.len && n + 1 < sizeof w->path && args.ptr[start + n] != '"') n++;
            memcpy(w->path, args.ptr + start, n);
            break;
        }
        w->ctx = ctx;
        w->done = done;
        pthread_t thread;
        if (pthread_create(&thread, NULL, wait_for_file, w) != 0) { free(w); return AGENT_ERR_INTERNAL; }
        pthread_detach(thread);
        return AGENT_OK;
    }
    static void shutdown_plugin(void *c, void (*done)(void *)) { if (done) done(c); }
    \(CPluginTests.entryFunction(manifest: #"{"version":"1","language":"c","toolchain":"test","agents":[{"id":"c-steer","messageConcurrency":"steer","tools":[{"name":"gate","description":"d","inputSchema":{"type":"object"}}]},{"id":"c-onestep","tools":[{"name":"gate","description":"d","inputSchema":{"type":"object"}}]}]}"#, tableSize: "sizeof *out", extra: "host = h;"))
    """

    /// A chat whose turns a test holds open at the gate.
    struct Gated {
        let client: AgentHostClient
        let chatId: String
        let token: String
        let gate: URL

        /// Starts a turn that waits at the gate; returns its input seq once its tool call is running.
        func startHeldTurn() async throws -> Int64 {
            let seq = try await client.sendMessage(#"/tool gate {"path":"\#(gate.path)"}"#, chatId: chatId, token: token, id: "u-held")
            _ = try await client.readEvents(chatId: chatId, token: token, lastEventId: seq) { events in
                events.contains { $0.type == "tool-input-available" }
            }
            return seq
        }

        /// Sends a user message, with a `mode` when given; returns its seq.
        func send(_ text: String, id: String, mode: String? = nil) async throws -> Int64 {
            var input: JSONValue = ["kind": "message", "message": ["id": .string(id), "role": "user", "parts": [["type": "text", "text": .string(text)]]]]
            if let mode, case .object(var fields) = input {
                fields["mode"] = .string(mode)
                input = .object(fields)
            }
            return try await client.using(token: token).send(input, chatId: chatId)
        }

        func open() throws { try Data().write(to: gate) }

        func events(turns: Int) async throws -> [TestEvent] {
            try await client.readEvents(chatId: chatId, token: token) { $0.completedTurns() == turns }
        }

        func messages() async throws -> [JSONValue] {
            let reply = try await client.send(.GET, "/realtime/v1/sessions/\(chatId)/messages", token: token)
            return reply.json?["messages"]?.arrayValue ?? []
        }
    }

    static func plugin(in directory: URL) throws -> URL {
        try CCompiler.sharedLibrary(source: source, named: "libCSteer.so", in: directory)
    }

    static func gated(_ daemon: DaemonProcess, _ client: AgentHostClient, chatId: String, agent: String, directory: URL) async throws -> Gated {
        let created = try await client.createSession(chatId, agent: agent, secret: daemon.secretKey)
        return Gated(client: client, chatId: chatId, token: created.token, gate: directory.appendingPathComponent("gate-\(chatId)"))
    }

    @Test func aSteeredMessageReachesTheNextStepOnceInOrderAndStaysThere() async throws {
        let directory = try CCompiler.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withDaemon(plugins: [try Self.plugin(in: directory)]) { daemon, client in
            let chat = try await Self.gated(daemon, client, chatId: "steer-1", agent: "c-steer", directory: directory)
            _ = try await chat.startHeldTurn()
            let steer = try await chat.send("in euros please", id: "u-steer")
            try chat.open()
            let events = try await chat.events(turns: 1)
            let injected = try #require(events.first("data-pending-message-injected"))
            #expect(injected["data"]?["inSeq"] == .number(Double(steer)))
            #expect(injected["data"]?["messageId"] == "u-steer")
            #expect(injected["transient"] == true)
            // The step after the tool read the steered message: it answers it.
            #expect(events.text.hasSuffix("You said: in euros please"))
            // The injection comes after the tool's output, before the next step.
            let order = events.map(\.type)
            let at = try #require(order.firstIndex(of: "data-pending-message-injected"))
            #expect(order[..<at].contains("tool-output-available"))
            #expect(order[at...].dropFirst().first == "start-step")

            // The model's view, next turn: the steered message once, where it saw it.
            let seq = try await chat.send("/history", id: "u-history")
            let next = try await client.readEvents(chatId: chat.chatId, token: chat.token, lastEventId: seq) { $0.completedTurns() == 1 }
            #expect(next.text == "I was given: user: /tool gate {\"path\":\"\(chat.gate.path)\"} | assistant: gate(call_1) | tool: gate(call_1) "
                + "| user: in euros please | assistant: You said: in euros please | user: /history")
            let messages = try await chat.messages()
            #expect(messages.map { $0["role"]?.stringValue ?? "" } == ["user", "assistant", "user", "assistant", "user", "assistant"])
            #expect(messages.map { $0["id"]?.stringValue ?? "" }.filter { $0.hasPrefix("u-") } == ["u-held", "u-steer", "u-history"])
            // No turn of its own answered it.
            let all = try await chat.events(turns: 2)
            #expect(all.completedTurns() == 2)
            #expect(all.filter { $0.type == "data-turn-start" }.count == 2)
        }
    }

    @Test func aSteeredMessageThatMeetsNoBoundaryIsTheNextTurn() async throws {
        let directory = try CCompiler.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withDaemon(plugins: [try Self.plugin(in: directory)]) { daemon, client in
            // One step: the tool's result ends the turn; the client asks to steer.
            let chat = try await Self.gated(daemon, client, chatId: "steer-2", agent: "c-onestep", directory: directory)
            _ = try await chat.startHeldTurn()
            let steer = try await chat.send("late thought", id: "u-steer", mode: "steer")
            try chat.open()
            let events = try await chat.events(turns: 2)
            #expect(events.first("data-pending-message-injected") == nil)
            let starts = events.filter { $0.type == "data-turn-start" }.compactMap { $0.json["data"]?["inSeq"]?.doubleValue }
            #expect(starts.last == Double(steer))
            #expect(events.text.hasSuffix("You said: late thought"))
            #expect(try await chat.messages().compactMap { $0["id"]?.stringValue }.filter { $0 == "u-steer" }.count == 1)
        }
    }

    @Test func killedBetweenASteersAcknowledgmentAndItsInjectionItIsAnsweredOnce() async throws {
        let directory = try CCompiler.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try DaemonProcess(plugins: [try Self.plugin(in: directory)], environment: [:])
        try daemon.start()
        defer { daemon.stop() }
        var chat = try await Self.gated(daemon, daemon.client, chatId: "steer-3", agent: "c-steer", directory: directory)
        _ = try await chat.startHeldTurn()
        _ = try await chat.send("do not lose me", id: "u-steer")
        // Acknowledged (durable), not injected: the tool still waits at the gate.
        try daemon.crashAndRestart()
        chat = Gated(client: daemon.client, chatId: chat.chatId, token: chat.token, gate: chat.gate)
        try chat.open()
        // The resumed turn takes it at its boundary, or it is the next turn: either way once.
        let events = try await chat.client.readEvents(chatId: chat.chatId, token: chat.token) { events in
            events.text.contains("You said: do not lose me") && events.last?.type == "data-turn-complete"
        }
        #expect(events.text.components(separatedBy: "You said: do not lose me").count == 2)
        let messages = try await chat.messages()
        #expect(messages.compactMap { $0["id"]?.stringValue }.filter { $0 == "u-steer" }.count == 1)
        let answers = messages.filter { message in
            let parts = message["parts"]?.arrayValue ?? []
            return parts.contains { part in part["text"]?.stringValue == "You said: do not lose me" }
        }
        #expect(answers.count == 1)
        // Nothing is still waiting to answer it again.
        let info = try await chat.client.send(.GET, "/api/v1/sessions/\(chat.chatId)", token: daemon.secretKey)
        #expect(info.json?["queuedInputs"] == 0)
    }

    @Test func latestMergeAndDropDecideWhatWaitingMessagesGet() async throws {
        let directory = try CCompiler.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withDaemon(plugins: [try Self.plugin(in: directory)]) { daemon, client in
            for mode in ["latest", "merge"] {
                let chat = try await Self.gated(daemon, client, chatId: "policy-\(mode)", agent: "c-onestep", directory: directory)
                _ = try await chat.startHeldTurn()
                _ = try await chat.send("first", id: "u-first", mode: mode)
                let second = try await chat.send("second", id: "u-second", mode: mode)
                try chat.open()
                let events = try await chat.events(turns: 2)
                // One turn answers both arrivals: the newest one's.
                let starts = events.filter { $0.type == "data-turn-start" }.compactMap { $0.json["data"]?["inSeq"]?.doubleValue }
                #expect(starts.count == 2)
                #expect(starts.last == Double(second))
                #expect(events.text.hasSuffix("You said: second"))
                let ids = try await chat.messages().compactMap { $0["id"]?.stringValue }.filter { $0.hasPrefix("u-") }
                #expect(ids == (mode == "merge" ? ["u-held", "u-first", "u-second"] : ["u-held", "u-second"]), "\(mode)")
            }

            let chat = try await Self.gated(daemon, client, chatId: "policy-drop", agent: "c-onestep", directory: directory)
            _ = try await chat.startHeldTurn()
            await #expect(throws: (any Error).self) { try await chat.send("refused", id: "u-drop", mode: "drop") }
            let reply = try await client.send(.POST, "/realtime/v1/sessions/policy-drop/in", token: chat.token,
                                              body: #"{"kind":"message","mode":"drop","message":{"id":"u-drop2","role":"user","parts":[{"type":"text","text":"x"}]}}"#)
            #expect(reply.status == 409)
            try chat.open()
            _ = try await chat.events(turns: 1)
            // Idle again: the same mode is answered at once.
            let seq = try await chat.send("now", id: "u-now", mode: "drop")
            let next = try await client.readEvents(chatId: chat.chatId, token: chat.token, lastEventId: seq) { $0.completedTurns() == 1 }
            #expect(next.text == "You said: now")
            #expect(try await chat.messages().compactMap { $0["id"]?.stringValue }.contains("u-drop") == false)
        }
    }
}
