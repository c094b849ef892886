import AgentHostClient
import AgentWire
import Foundation
import TestSupport
import Testing

extension ProviderIntegration {
    /// Tool calls across kill -9 (README, "Tools after a crash"): a call that was
    /// running is never silently run twice. A tool that is not safe to retry
    /// ends as interrupted, which the model reads; a retryable one runs again
    /// with the same `toolCallId`; a sub-agent call reattaches to its child.
    @Suite struct ToolRecoveryTests {
        /// A C agent, `slow-tools`, with two `call_tool` tools that wait on a gate
        /// file: `slow` (not safe to retry) and `slowRetry` (`"retryable": true`).
        /// A call of either, given `{"name": N}`, appends its `toolCallId` to
        /// `$SLOW_TOOL_DIR/N.log` as it starts, waits until `$SLOW_TOOL_DIR/N.gate`
        /// exists, and answers `{"ran": <toolCallId>}`.
        static let source = #"""
        \#(CPluginTests.modelStreamPrelude)
        static agent_status start_turn(uint64_t turn, agent_str request) {
            (void)request;
            return host->call_service(host->host_ctx, turn, str("model.stream"), str("{\"maxSteps\":3}"), (void *)(uintptr_t)turn, stream_done);
        }
        static void cancel_turn(uint64_t turn) { (void)turn; }
        /* The string value of `"key":"` in `json`, copied into `out`. */
        static void field(agent_str json, const char *key, char *out, size_t size) {
            size_t k = strlen(key), n = 0;
            out[0] = 0;
            for (size_t i = 0; i + k <= json.len; i++) {
                if (memcmp(json.ptr + i, key, k) != 0) continue;
                while (i + k + n < json.len && n + 1 < size && json.ptr[i + k + n] != '"') n++;
                memcpy(out, json.ptr + i + k, n);
                out[n] = 0;
                return;
            }
        }
        struct job { char id[128]; char log[1024]; char gate[1024]; void *ctx; agent_tool_done_fn done; };
        static void *run(void *arg) {
            struct job *job = arg;
            FILE *log = fopen(job->log, "a");
            if (log) { fprintf(log, "%s\n", job->id); fclose(log); }
            for (int i = 0; i < 6000 && access(job->gate, F_OK) != 0; i++) usleep(10000);
            char reply[256];
            int n = snprintf(reply, sizeof reply, "{\"ran\":\"%s\"}", job->id);
            agent_str out = {reply, (size_t)n};
            job->done(job->ctx, AGENT_OK, out);
            free(job);
            return NULL;
        }
        static agent_status call_tool(uint64_t turn, agent_str args, void *ctx, agent_tool_done_fn done) {
            (void)turn;
            const char *dir = getenv("SLOW_TOOL_DIR");
            char name[128];
            struct job *job = calloc(1, sizeof *job);
            if (!dir || !job) return AGENT_ERR_INVALID;
            field(args, "\"toolCallId\":\"", job->id, sizeof job->id);
            field(args, "\"name\":\"", name, sizeof name);
            snprintf(job->log, sizeof job->log, "%s/%s.log", dir, name);
            snprintf(job->gate, sizeof job->gate, "%s/%s.gate", dir, name);
            job->ctx = ctx;
            job->done = done;
            pthread_t thread;
            if (pthread_create(&thread, NULL, run, job) != 0) { free(job); return AGENT_ERR_INVALID; }
            pthread_detach(thread);
            return AGENT_OK;
        }
        static void shutdown_plugin(void *c, void (*done)(void *)) { if (done) done(c); }
        \#(CPluginTests.entryFunction(manifest: Self.manifest, tableSize: "sizeof *out", extra: "host = h;"))
        """#

        static let manifest = #"{"version":"1","language":"c","toolchain":"test","agents":[{"id":"slow-tools","tools":["#
            + #"{"name":"slow","description":"d","inputSchema":{"type":"object"}},"#
            + #"{"name":"slowRetry","description":"d","inputSchema":{"type":"object"},"retryable":true}]}]}"#

        /// The tool call ids a `slow` call named `name` logged as it started, in order.
        private static func starts(_ directory: URL, _ name: String) -> [String] {
            let text = (try? String(contentsOf: directory.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
            return text.split(separator: "\n").map(String.init)
        }

        /// The parts of the chat's stored messages that belong to `toolCallId`.
        private static func toolParts(_ chat: ChatSession, _ toolCallId: String) async throws -> [JSONValue] {
            try await chat.history().flatMap { $0["parts"]?.arrayValue ?? [] }.filter { $0["toolCallId"]?.stringValue == toolCallId }
        }

        /// Final outputs and errors of `toolCallId` in `events` (preliminary outputs left out).
        private static func ends(_ events: [TestEvent], _ toolCallId: String) -> [JSONValue] {
            events.map(\.json).filter { event in
                event["toolCallId"]?.stringValue == toolCallId && event["preliminary"] == nil
                    && ["tool-output-available", "tool-output-error"].contains(event["type"]?.stringValue ?? "")
            }
        }

        /// Starts the `slow-tools` agent, calls `tool` and kills the daemon while the
        /// call runs (its start is logged), then restarts it on the same data.
        private static func killDuring(
            _ tool: String, isolation: String, in directory: URL
        ) async throws -> (daemon: DaemonProcess, chat: ChatSession, callId: String) {
            let plugin = try CCompiler.sharedLibrary(source: source, named: "libSlowTools.so", in: directory)
            let daemon = try DaemonProcess(
                plugins: [plugin], environment: ["SLOW_TOOL_DIR": directory.path], arguments: ["--isolation", isolation]
            )
            try daemon.start()
            var chat = try await ChatSession(daemon: daemon, chatId: "crash-\(tool)", agent: "slow-tools")
            try await chat.client.sendMessage(#"/tool \#(tool) {"name":"\#(tool)"}"#, chatId: chat.chatId, token: chat.token)
            try await waitUntil { starts(directory, tool).count == 1 }
            let before = try await chat.client.readEvents(chatId: chat.chatId, token: chat.token) {
                $0.contains { $0.type == "tool-input-available" }
            }
            let callId = try #require(before.first("tool-input-available")?["toolCallId"]?.stringValue)
            #expect(starts(directory, tool) == [callId])
            try daemon.crashAndRestart()
            chat.client = daemon.client
            return (daemon, chat, callId)
        }

        @Test(arguments: ["in-process", "worker"])
        func aCallCutOffByKill9IsInterruptedNotRunAgain(isolation: String) async throws {
            let directory = try CCompiler.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let crashed = try await Self.killDuring("slow", isolation: isolation, in: directory)
            let (daemon, callId) = (crashed.daemon, crashed.callId)
            var chat = crashed.chat
            defer { daemon.stop() }
            let events = try await chat.nextTurn()

            // One call, one end: an error that says why, which the model read; the turn went on.
            #expect(events.filter { $0.type == "tool-input-available" }.count == 1)
            let ends = Self.ends(events, callId)
            #expect(ends.map { $0["type"] } == ["tool-output-error"])
            let errorText = try #require(ends.first?["errorText"]?.stringValue)
            #expect(errorText.contains("interrupted by a restart"))
            #expect(events.contains { $0.type == "data-interrupted" })
            #expect(events.text == "Tool slow failed: \(errorText)")
            #expect(events.finishReason == "stop")
            // The tool did not run again, and the stored message has one part for the call.
            #expect(Self.starts(directory, "slow") == [callId])
            let parts = try await Self.toolParts(chat, callId)
            #expect(parts.map { $0["state"] } == ["output-error"])
        }

        @Test(arguments: ["in-process", "worker"])
        func aRetryableCallCutOffByKill9RunsAgainWithTheSameId(isolation: String) async throws {
            let directory = try CCompiler.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let crashed = try await Self.killDuring("slowRetry", isolation: isolation, in: directory)
            let (daemon, callId) = (crashed.daemon, crashed.callId)
            var chat = crashed.chat
            defer { daemon.stop() }
            // The call runs again after the restart, with its id; then it may finish.
            try await waitUntil { Self.starts(directory, "slowRetry").count == 2 }
            FileManager.default.createFile(atPath: directory.appendingPathComponent("slowRetry.gate").path, contents: Data())
            let events = try await chat.nextTurn()

            #expect(Self.starts(directory, "slowRetry") == [callId, callId])
            #expect(events.filter { $0.type == "tool-input-available" }.count == 1)
            let ends = Self.ends(events, callId)
            #expect(ends.map { $0["type"] } == ["tool-output-available"])
            #expect(ends.first?["output"] == ["ran": .string(callId)])
            #expect(events.text == #"slowRetry returned {"ran":"\#(callId)"}"#)
            let parts = try await Self.toolParts(chat, callId)
            #expect(parts.map { $0["state"] } == ["output-available"])
        }

        // MARK: Sub-agents

        private static func subAgentDaemon(_ plugins: [URL], isolation: String = "in-process") throws -> DaemonProcess {
            let daemon = try DaemonProcess(
                plugins: plugins, environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "40"], arguments: ["--isolation", isolation]
            )
            try daemon.start()
            return daemon
        }

        @Test(arguments: ["in-process", "worker"])
        func kill9MidDelegationReattachesToTheChildAndCompletesTheCallOnce(isolation: String) async throws {
            let daemon = try Self.subAgentDaemon([DaemonProcess.subAgentsDemoPlugin], isolation: isolation)
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "reattach", agent: "orchestrator")
            try await chat.client.sendMessage(#"/tool research {"message":"/slow 30"}"#, chatId: chat.chatId, token: chat.token)
            let before = try await chat.client.readEvents(chatId: chat.chatId, token: chat.token) { events in
                events.contains { $0.type == "tool-output-available" && ($0.json["output"]?["parts"]?.arrayValue?.isEmpty == false) }
            }
            let callId = try #require(before.first("tool-input-available")?["toolCallId"]?.stringValue)
            let childId = "reattach~\(callId)"
            try daemon.crashAndRestart()
            chat.client = daemon.client
            let events = try await chat.nextTurn()

            // The recorded call was run again, not asked of the model again: one
            // call in the stream, one final output, one tool part.
            let words = (1...30).map(String.init).joined(separator: " ")
            #expect(events.filter { $0.type == "tool-input-available" }.count == 1)
            #expect(Self.ends(events, callId).map { $0["output"] } == [.string(words)])
            #expect(events.text == #"research returned "\#(words)""#)
            #expect(try await Self.toolParts(chat, callId).map { $0["state"] } == ["output-available"])
            // The child answered one message in one turn, resumed after the crash.
            let child = try await daemon.client.readEvents(chatId: childId, token: daemon.secretKey) { $0.last?.type == "data-turn-complete" }
            #expect(child.filter { $0.type == "data-turn-start" }.count == 1)
            #expect(child.contains { $0.type == "data-interrupted" })
            #expect(child.text == words)
            let history = try await daemon.client.send(.GET, "/realtime/v1/sessions/\(childId)/messages", token: daemon.secretKey)
            #expect(history.json?["messages"]?.arrayValue?.map { $0["role"]?.stringValue } == ["user", "assistant"])
        }

        @Test func aRedeployOfTheChildMidDelegationMovesItAndTheCallCompletesOnce() async throws {
            let daemon = try Self.subAgentDaemon([DaemonProcess.subAgentsDemoPlugin, DaemonProcess.plugin("UpgradeDemoV1")])
            defer { daemon.stop() }
            let gate = daemon.dataDirectory.appendingPathComponent("gate-child").path
            var chat = try await ChatSession(daemon: daemon, chatId: "moving", agent: "orchestrator")
            // The orchestrator asks upgrade-demo, whose `pause` waits on the gate.
            let childMessage = #"/tool pause {\"ms\": 1, \"until\": \"\#(gate)\"}"#
            try await chat.client.sendMessage(
                #"/tool askAgent {"agent":"upgrade-demo","message":"\#(childMessage)"}"#, chatId: chat.chatId, token: chat.token
            )
            let before = try await chat.client.readEvents(chatId: chat.chatId, token: chat.token) {
                $0.contains { $0.type == "tool-input-available" }
            }
            let callId = try #require(before.first("tool-input-available")?["toolCallId"]?.stringValue)
            let childId = "moving~\(callId)"
            // The parent's call is in its stream before the child session exists.
            try await waitUntil { try await daemon.client.send(.GET, "/api/v1/sessions/\(childId)", token: daemon.secretKey).status == 200 }
            _ = try await daemon.client.readEvents(chatId: childId, token: daemon.secretKey) {
                $0.contains { $0.type == "tool-input-available" }
            }
            let agents = try await daemon.client.send(.GET, "/api/v1/agents", token: daemon.secretKey).json
            let build1 = try #require(agents?.activeGeneration(of: "upgrade-demo"))
            try daemon.deploy(DaemonProcess.plugin("UpgradeDemoV2"))
            _ = try await daemon.client.waitForAgents(secret: daemon.secretKey) { $0.activeGeneration(of: "upgrade-demo") ?? build1 > build1 }
            FileManager.default.createFile(atPath: gate, contents: Data())
            let events = try await chat.nextTurn()

            // The child ran its tool on build 1 and moved to build 2 at its step boundary.
            let child = try await daemon.client.readEvents(chatId: childId, token: daemon.secretKey) { $0.last?.type == "data-turn-complete" }
            #expect(child.filter { $0.type == "data-upgraded" }.count == 1)
            #expect(child.filter { $0.type == "data-turn-start" }.count == 1)
            let answer = #"pause returned {"build":"1","waited":1}"#
            #expect(child.text == answer)
            // The parent's call completed once, with the child's answer.
            let ends = Self.ends(events, callId)
            #expect(ends.map { $0["output"] } == [["answer": .string(answer), "chatId": .string(childId)]])
            #expect(events.filter { $0.type == "tool-input-available" }.count == 1)
            #expect(events.finishReason == "stop")
        }
    }
}
