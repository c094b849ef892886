import AgentWire
import Foundation
import TestSupport
import Testing

/// The `agent.call` host service from a C plugin (`agent_plugin.h`): a C tool
/// delegates to MyChat's `my-chat` in another plugin; the child's answer streams
/// as the call's preliminary outputs and comes back as the tool's output.
@Suite struct CAgentCallTests {
    /// A C agent, `c-delegate`, with one `call_tool` tool, `ask`: it calls
    /// `agent.call` for `my-chat` with its own toolCallId and answers with the result.
    static let source = """
    \(CPluginTests.modelStreamPrelude)
    \(CPluginTests.toolCallIdReader)
    typedef struct { void *ctx; agent_tool_done_fn done; } pending_call;
    static void agent_answered(void *c, agent_status status, agent_str result) {
        pending_call *call = c;
        call->done(call->ctx, status, result);
        free(call);
    }
    \(CPluginTests.twoStepTurn)
    static agent_status call_tool(uint64_t turn, agent_str args, void *ctx, agent_tool_done_fn done) {
        char id[128];
        tool_call_id(args, id, sizeof id);
        char request[512];
        int n = snprintf(request, sizeof request, "{\\"agent\\":\\"my-chat\\",\\"message\\":\\"hello from C\\",\\"toolCallId\\":\\"%s\\"}", id);
        if (n < 0 || (size_t)n >= sizeof request) return AGENT_ERR_INVALID;
        pending_call *call = malloc(sizeof *call);
        if (!call) return AGENT_ERR_INTERNAL;
        call->ctx = ctx;
        call->done = done;
        agent_str body = {request, (size_t)n};
        agent_status started = host->call_service(host->host_ctx, turn, str("agent.call"), body, call, agent_answered);
        if (started != AGENT_OK) free(call);
        return started;
    }
    static void shutdown_plugin(void *c, void (*done)(void *)) { if (done) done(c); }
    \(CPluginTests.entryFunction(manifest: #"{"version":"1","language":"c","toolchain":"test","agents":[{"id":"c-delegate","tools":[{"name":"ask","description":"d","inputSchema":{"type":"object"}}]}]}"#, tableSize: "sizeof *out", extra: "host = h;"))
    """

    @Test(arguments: ["worker", "in-process"])
    func aCToolDelegatesToAnAgentInAnotherPlugin(isolation: String) async throws {
        let directory = try CCompiler.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plugin = try CCompiler.sharedLibrary(source: Self.source, named: "libCDelegate.so", in: directory)
        try await withDaemon(plugins: [plugin, DaemonProcess.myChatPlugin], arguments: ["--isolation", isolation]) { daemon, client in
            let created = try await client.createSession("c-parent", agent: "c-delegate", secret: daemon.secretKey)
            #expect(created.status == 201)
            try await client.sendMessage("/tool ask {}", chatId: "c-parent", token: created.token)
            let events = try await client.readEvents(chatId: "c-parent", token: created.token) { $0.completedTurns() == 1 }
            let callId = try #require(events.first { $0.type == "tool-input-available" }?.json["toolCallId"]?.stringValue)
            let outputs = events.filter { $0.type == "tool-output-available" }.map(\.json)
            // The child's answer so far, as preliminary snapshots, then the result the C tool passed on.
            #expect(outputs.dropLast().allSatisfy { $0["preliminary"] == true && $0["output"]?["role"] == "assistant" })
            let final = try #require(outputs.last)
            #expect(final["preliminary"] == nil)
            #expect(final["output"]?["text"] == "You said: hello from C")
            #expect(final["output"]?["chatId"]?.stringValue == "c-parent~\(callId)")
            // The child is a session of its own, below the C agent's.
            let child = try await client.send(.GET, "/api/v1/sessions/c-parent~\(callId)", token: daemon.secretKey).json
            #expect(child?["agent"] == "my-chat")
            #expect(child?["parentChatId"] == "c-parent")
        }
    }
}
