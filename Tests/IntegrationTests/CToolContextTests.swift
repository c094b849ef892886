import AgentWire
import Foundation
import TestSupport
import Testing

/// ABI 1.1 for a C plugin's own tools (`call_tool`, not libffi): the call's
/// arguments name the call and the chat, the plugin may stream preliminary
/// outputs for it through `emit`, and `"modelOutput": true` gives the model a
/// compact form — in both isolation modes.
@Suite struct CToolContextTests {
    /// A C agent with one `call_tool` tool, `echo`: it streams one preliminary
    /// output for its call, then answers `{"output": <its call_tool args>, "modelOutput": "compact"}`.
    static let source = """
    \(CPluginTests.modelStreamPrelude)
    \(CPluginTests.toolCallIdReader)
    \(CPluginTests.twoStepTurn)
    static agent_status call_tool(uint64_t turn, agent_str args, void *ctx, agent_tool_done_fn done) {
        char id[128];
        tool_call_id(args, id, sizeof id);
        char chunk[256];
        snprintf(chunk, sizeof chunk, "{\\"type\\":\\"tool-output-available\\",\\"toolCallId\\":\\"%s\\",\\"output\\":\\"working\\",\\"preliminary\\":true}", id);
        agent_status emitted = host->emit(host->host_ctx, turn, str(chunk));
        char reply[8192];
        int n = snprintf(reply, sizeof reply, "{\\"output\\":{\\"args\\":%.*s,\\"emitted\\":%d},\\"modelOutput\\":\\"compact\\"}",
                         (int)args.len, args.ptr, (int)emitted);
        if (n < 0 || (size_t)n >= sizeof reply) return AGENT_ERR_INVALID;
        agent_str out = {reply, (size_t)n};
        done(ctx, AGENT_OK, out);
        return AGENT_OK;
    }
    static void shutdown_plugin(void *c, void (*done)(void *)) { if (done) done(c); }
    \(CPluginTests.entryFunction(manifest: #"{"version":"1","language":"c","toolchain":"test","agents":[{"id":"c-echo","tools":[{"name":"echo","description":"d","inputSchema":{"type":"object"},"modelOutput":true}]}]}"#, tableSize: "sizeof *out", extra: "host = h;"))
    """

    @Test(arguments: ["worker", "in-process"])
    func aCToolGetsItsCallStreamsProgressAndGivesTheModelACompactForm(isolation: String) async throws {
        let directory = try CCompiler.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plugin = try CCompiler.sharedLibrary(source: Self.source, named: "libCEcho.so", in: directory)
        try await withDaemon(plugins: [plugin], arguments: ["--isolation", isolation]) { daemon, client in
            let created = try await client.createSession("c-echo-1", agent: "c-echo", secret: daemon.secretKey)
            #expect(created.status == 201)
            try await client.sendMessage(#"/tool echo {"x":1}"#, chatId: "c-echo-1", token: created.token)
            let events = try await client.readEvents(chatId: "c-echo-1", token: created.token) { $0.completedTurns() == 1 }
            let callId = try #require(events.first { $0.type == "tool-input-available" }?.json["toolCallId"]?.stringValue)
            let outputs = events.filter { $0.type == "tool-output-available" }.map(\.json)
            #expect(outputs.first == ["type": "tool-output-available", "toolCallId": .string(callId), "output": "working", "preliminary": true])
            #expect(outputs.count == 2)
            let final = try #require(outputs.last)
            #expect(final["preliminary"] == nil)
            #expect(final["output"]?["emitted"] == 0)  // AGENT_OK: the host took the progress
            let args = final["output"]?["args"]
            #expect(args?["toolCallId"]?.stringValue == callId)
            #expect(args?["chatId"] == "c-echo-1")
            #expect(args?["agent"] == "c-echo")
            #expect(args?["input"] == ["x": 1])
            // The model got the compact form.
            #expect(events.text == #"echo returned "compact""#)
        }
    }
}
