import AgentWire
import Foundation
import TestSupport
import Testing

/// Agents written in C: the bundled `libCTools.so`, the same plugin built with
/// plain `cc -shared`, and C plugins whose manifests must be refused at load.
@Suite struct CPluginTests {
    static var cToolsPlugin: URL { DaemonProcess.binDirectory.appendingPathComponent("libCTools.so") }

    /// Runs one `/tool` turn on a fresh `c-tools` session; returns its events.
    private func toolTurn(_ command: String, chatId: String, daemon: DaemonProcess) async throws -> [TestEvent] {
        let client = daemon.client
        let created = try await client.createSession(chatId, agent: "c-tools", secret: daemon.secretKey)
        #expect(created.status == 201)
        try await client.sendMessage(command, chatId: chatId, token: created.token)
        return try await client.readEvents(chatId: chatId, token: created.token) { $0.completedTurns() == 1 }
    }

    @Test func cToolsAreCalledThroughLibffi() async throws {
        try await withDaemon(plugins: [Self.cToolsPlugin]) { daemon, _ in
            let add = try await toolTurn(#"/tool add {"a": 2.5, "b": 3}"#, chatId: "add", daemon: daemon)
            #expect(add.map(\.type) == [
                "data-turn-start", "start", "start-step", "tool-input-start", "tool-input-delta", "tool-input-available",
                "tool-output-available", "finish-step", "start-step", "text-start", "text-delta", "text-delta",
                "text-delta", "text-end", "finish-step", "finish", "data-turn-complete",
            ])
            let call = try #require(add.first { $0.type == "tool-input-available" })
            #expect(call.json["toolName"] == "add")
            #expect(call.json["input"] == ["a": 2.5, "b": 3])
            #expect(add.first { $0.type == "tool-output-available" }?.json["output"] == 5.5)
            #expect(add.text == "add returned 5.5")
            #expect(add.first { $0.type == "finish" }?.json["finishReason"] == "stop")

            let words = try await toolTurn(#"/tool word_count {"text": "  the quick\tbrown fox\n"}"#, chatId: "words", daemon: daemon)
            #expect(words.first { $0.type == "tool-output-available" }?.json["output"] == 4)

            let upper = try await toolTurn(#"/tool upper {"text": "héllo, wörld"}"#, chatId: "upper", daemon: daemon)
            #expect(upper.first { $0.type == "tool-output-available" }?.json["output"] == "HéLLO, WöRLD")
        }
    }

    @Test func badArgumentsBecomeToolOutputErrors() async throws {
        try await withDaemon(plugins: [Self.cToolsPlugin]) { daemon, _ in
            let mismatch = try await toolTurn(#"/tool add {"a": "two", "b": 3}"#, chatId: "mismatch", daemon: daemon)
            #expect(!mismatch.contains { $0.type == "tool-output-available" })
            let error = try #require(mismatch.first { $0.type == "tool-output-error" })
            #expect(error.json["errorText"] == "argument `a` of `add` must be a number, got a string")
            #expect(mismatch.last?.type == "data-turn-complete")
            #expect(mismatch.contains { $0.json == ["type": "finish", "finishReason": "stop"] })

            let missing = try await toolTurn(#"/tool upper {}"#, chatId: "missing", daemon: daemon)
            #expect(missing.first { $0.type == "tool-output-error" }?.json["errorText"]
                == "`upper` is missing argument `text` (const char*)")

            // The daemon is still serving after both.
            let again = try await toolTurn(#"/tool add {"a": 1, "b": 2}"#, chatId: "again", daemon: daemon)
            #expect(again.first { $0.type == "tool-output-available" }?.json["output"] == 3)
        }
    }

    @Test func thePluginBuiltWithPlainCcLoads() async throws {
        let directory = try CCompiler.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = TestPackage.root.appendingPathComponent("Plugins/CTools")
        let plugin = directory.appendingPathComponent("libCToolsCC.so")
        try CCompiler.sharedLibrary(
            sources: [source.appendingPathComponent("plugin.c"), source.appendingPathComponent("tools.c")],
            includes: [CCompiler.abiInclude, source.appendingPathComponent("include")],
            output: plugin
        )
        try await withDaemon(plugins: [plugin]) { daemon, _ in
            let add = try await toolTurn(#"/tool add {"a": 2.5, "b": 3}"#, chatId: "cc", daemon: daemon)
            #expect(add.first { $0.type == "tool-output-available" }?.json["output"] == 5.5)
            let agents = try await daemon.client.send(.GET, "/api/v1/agents", token: daemon.secretKey)
            #expect(agents.json?["refusals"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test func manifestsNamingMissingSymbolsOrUnknownTypesAreRefusedAtLoad() async throws {
        let directory = try CCompiler.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missingSymbol = try CCompiler.sharedLibrary(
            source: Self.pluginSource(tool: #""cFunction":{"symbol":"not_there","params":[],"returns":"int32"}"#),
            named: "libMissingSymbol.so", in: directory
        )
        let unknownType = try CCompiler.sharedLibrary(
            source: Self.pluginSource(tool: #""cFunction":{"symbol":"present","params":[{"name":"x","type":"float"}],"returns":"int32"}"#),
            named: "libUnknownType.so", in: directory
        )
        let libcFunction = try CCompiler.sharedLibrary(
            source: Self.pluginSource(tool: #""cFunction":{"symbol":"getenv","params":[{"name":"x","type":"const char*"}],"returns":"const char*"}"#),
            named: "libLibcFunction.so", in: directory
        )
        try await withDaemon(plugins: [missingSymbol, unknownType, libcFunction, Self.cToolsPlugin]) { daemon, client in
            let agents = try await client.send(.GET, "/api/v1/agents", token: daemon.secretKey).json
            let refusals = Dictionary(uniqueKeysWithValues: (agents?["refusals"]?.arrayValue ?? []).compactMap { refusal in
                refusal["file"]?.stringValue.map { ($0, refusal["reason"]?.stringValue ?? "") }
            })
            #expect(refusals["libMissingSymbol.so"] == "C tool `probe`: symbol `not_there` is not a function the plugin exports")
            #expect(refusals["libUnknownType.so"]
                == "C tool `probe`: parameter `x` has unknown C type `float` (supported: `int32`, `int64`, `double`, `bool`, `const char*`)")
            #expect(refusals["libLibcFunction.so"] == "C tool `probe`: symbol `getenv` is not a function the plugin exports")
            // Only the good plugin's agent is served; none of the refused ones got in.
            #expect(agents?["agents"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["c-tools"])
            #expect(try await client.createSession("refused", agent: "probe-agent", secret: daemon.secretKey).status == 404)
        }
    }

    /// A C plugin with `call_hook` (ABI 1.1): its hooks write data parts into the
    /// turn; a build of the same source with a 1.0-sized table loads and gets none.
    @Test(arguments: ["worker", "in-process"])
    func aCPluginImplementsCallHook(isolation: String) async throws {
        let directory = try CCompiler.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let hooked = try CCompiler.sharedLibrary(source: Self.hookPluginSource(agent: "c-hooks", tableSize: "sizeof *out"), named: "libCHooks.so", in: directory)
        let older = try CCompiler.sharedLibrary(
            source: Self.hookPluginSource(agent: "c-old", tableSize: "offsetof(agent_plugin_api, call_hook)"), named: "libCOld.so", in: directory
        )
        try await withDaemon(plugins: [hooked, older], arguments: ["--isolation", isolation]) { daemon, client in
            func turn(_ agent: String) async throws -> [TestEvent] {
                let token = try await client.createSession("\(agent)-chat", agent: agent, secret: daemon.secretKey).token
                try await client.sendMessage("hi", chatId: "\(agent)-chat", token: token)
                return try await client.readEvents(chatId: "\(agent)-chat", token: token) { $0.completedTurns() == 1 }
            }
            let events = try await turn("c-hooks")
            // The manifest lists two hooks: onChatStart is never called, so no chat-start record.
            #expect(events.map(\.type) == [
                "data-turn-start", "start", "data-hook", "data-hook", "finish", "data-turn-complete",
            ])
            #expect(events.filter { $0.type == "data-hook" }.map { $0.json["data"] } == ["onTurnStart", "onBeforeTurnComplete"])
            let old = try await turn("c-old")
            #expect(old.map(\.type) == ["data-turn-start", "start", "finish", "data-turn-complete"])
            let agents = try await client.send(.GET, "/api/v1/agents", token: daemon.secretKey)
            #expect(agents.json?["refusals"]?.arrayValue?.isEmpty == true)
        }
    }

    /// A C agent whose turn finishes at once and whose `call_hook` answers
    /// onTurnStart and onBeforeTurnComplete with a `data-hook` part naming the
    /// hook. `tableSize` is the `struct_size` it reports.
    static func hookPluginSource(agent: String, tableSize: String) -> String {
        let manifest = #"{"version":"1","language":"c","toolchain":"test","agents":[{"id":""#
            + agent + #"","hooks":["onTurnStart","onBeforeTurnComplete"],"tools":[]}]}"#
        return """
        #include "agent_plugin.h"
        #include <stddef.h>
        #include <string.h>
        static const agent_host_api *host;
        static agent_str str(const char *text) { agent_str s = { text, strlen(text) }; return s; }
        static agent_status start_turn(uint64_t t, agent_str r) {
            (void)r;
            host->finish_turn(host->host_ctx, t, AGENT_OK, str("{}"));
            return AGENT_OK;
        }
        static void cancel_turn(uint64_t t) { (void)t; }
        static agent_status call_tool(uint64_t t, agent_str a, void *c, agent_tool_done_fn d) {
            (void)t; (void)a; (void)c; (void)d; return AGENT_ERR_UNSUPPORTED;
        }
        static void shutdown_plugin(void *c, void (*done)(void *)) { if (done) done(c); }
        static int names(agent_str json, const char *hook) {
            char needle[64];
            if (strlen(hook) + 10 > sizeof needle) return 0;
            strcpy(needle, "\\\"hook\\\":\\\""); strcat(needle, hook); strcat(needle, "\\\"");
            size_t n = strlen(needle);
            for (size_t i = 0; i + n <= json.len; i++) if (memcmp(json.ptr + i, needle, n) == 0) return 1;
            return 0;
        }
        static agent_status call_hook(uint64_t t, agent_str event, void *c, agent_tool_done_fn done) {
            const char *part = NULL;
            if (names(event, "onTurnStart")) part = "{\\\"type\\\":\\\"data-hook\\\",\\\"data\\\":\\\"onTurnStart\\\"}";
            else if (names(event, "onBeforeTurnComplete")) part = "{\\\"type\\\":\\\"data-hook\\\",\\\"data\\\":\\\"onBeforeTurnComplete\\\"}";
            else return AGENT_ERR_UNSUPPORTED;
            host->emit(host->host_ctx, t, str(part));
            done(c, AGENT_OK, str("{}"));
            return AGENT_OK;
        }
        \(entryFunction(manifest: manifest, tableSize: tableSize, extra: "host = h; out->call_hook = call_hook;"))
        """
    }

    /// A minimal C plugin with one tool whose `cFunction` JSON is `tool`.
    static func pluginSource(tool: String) -> String {
        let manifest = #"{"version":"1","language":"c","toolchain":"test","agents":[{"id":"probe-agent","tools":[{"name":"probe","description":"d","#
            + tool + "}]}]}"
        return """
        #include "agent_plugin.h"
        #include <string.h>
        int present(int x) { return x; }
        static agent_status start_turn(uint64_t t, agent_str r) { (void)t; (void)r; return AGENT_ERR_UNSUPPORTED; }
        static void cancel_turn(uint64_t t) { (void)t; }
        static agent_status call_tool(uint64_t t, agent_str a, void *c, agent_tool_done_fn d) {
            (void)t; (void)a; (void)c; (void)d; return AGENT_ERR_UNSUPPORTED;
        }
        static void shutdown_plugin(void *c, void (*done)(void *)) { if (done) done(c); }
        \(entryFunction(manifest: manifest, tableSize: "sizeof *out", extra: "(void)h;"))
        """
    }

    /// The start of a test plugin whose turns run the host's step loop: the
    /// usual headers, the host table as `host`, `str()` for a C string, and
    /// `stream_done`, which finishes the turn `ctx` names when `model.stream` ends.
    static let modelStreamPrelude = """
        #include "agent_plugin.h"
        #include <pthread.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <unistd.h>
        static const agent_host_api *host;
        static agent_str str(const char *text) { agent_str s = {text, strlen(text)}; return s; }
        static void stream_done(void *ctx, agent_status status, agent_str result) {
            (void)result;
            host->finish_turn(host->host_ctx, (uint64_t)(uintptr_t)ctx, status, str(status == AGENT_OK ? "{}" : "failed"));
        }
        """

    /// A test plugin's `start_turn` (the host's step loop, two steps) and a `cancel_turn`
    /// with nothing to cancel: for plugins whose interest is their `call_tool`.
    static let twoStepTurn = """
        static agent_status start_turn(uint64_t turn, agent_str request) {
            (void)request;
            return host->call_service(host->host_ctx, turn, str("model.stream"), str("{\\"maxSteps\\":2}"), (void *)(uintptr_t)turn, stream_done);
        }
        static void cancel_turn(uint64_t turn) { (void)turn; }
        """

    /// A C function for a test plugin's `call_tool`: copies the call's `toolCallId`
    /// out of its arguments JSON into `id` (empty when absent).
    static let toolCallIdReader = """
        static void tool_call_id(agent_str args, char *id, size_t size) {
            static const char key[] = "\\"toolCallId\\":\\"";
            id[0] = 0;
            for (size_t i = 0; i + sizeof key - 1 <= args.len; i++) {
                if (memcmp(args.ptr + i, key, sizeof key - 1) != 0) continue;
                size_t start = i + sizeof key - 1, n = 0;
                while (start + n < args.len && n + 1 < size && args.ptr[start + n] != '"') n++;
                memcpy(id, args.ptr + start, n);
                id[n] = 0;
                return;
            }
        }
        """

    /// The manifest and the entry function of a test plugin whose functions are
    /// `start_turn`, `cancel_turn`, `call_tool` and `shutdown_plugin`.
    /// - Parameters:
    ///   - manifest: The manifest JSON.
    ///   - tableSize: The `struct_size` it reports (C expression).
    ///   - extra: C statements run first, with the host table as `h` and the plugin's as `out`.
    static func entryFunction(manifest: String, tableSize: String, extra: String) -> String {
        """
        static const char manifest[] = \(CCompiler.literal(manifest));
        agent_status agent_plugin_entry_v1(const agent_host_api *h, agent_plugin_api *out, size_t size) {
            if (size < sizeof *out) return AGENT_ERR_INVALID;
            memset(out, 0, sizeof *out);
            \(extra)
            out->struct_size = \(tableSize);
            out->abi_major = AGENT_ABI_MAJOR;
            out->abi_minor = AGENT_ABI_MINOR;
            out->manifest_json.ptr = manifest;
            out->manifest_json.len = sizeof manifest - 1;
            out->start_turn = start_turn;
            out->cancel_turn = cancel_turn;
            out->call_tool = call_tool;
            out->shutdown = shutdown_plugin;
            return AGENT_OK;
        }
        """
    }
}
