@testable import AgentKit
import Testing

/// The entry point `#agentPlugin` writes must do what the hand-written one did:
/// fill the plugin table and publish the manifest. Macro expansion tests check
/// the text; this checks that the expansion compiles and works in a real module.
@Suite struct AgentPluginEntryTests {
    @Test func theMacroEntryFillsThePluginTable() throws {
        var host = agent_host_api(
            struct_size: UInt32(MemoryLayout<agent_host_api>.size), abi_major: AGENT_ABI_MAJOR, abi_minor: AGENT_ABI_MINOR,
            host_ctx: nil, log: nil, emit: nil, call_service: nil, finish_turn: nil
        )
        var out = agent_plugin_api()
        let status = agentPluginEntry(&host, &out, MemoryLayout<agent_plugin_api>.size)

        #expect(status == AGENT_OK)
        #expect(out.struct_size == UInt32(MemoryLayout<agent_plugin_api>.size))
        #expect(out.abi_major == AGENT_ABI_MAJOR)
        #expect(out.start_turn != nil && out.cancel_turn != nil && out.call_tool != nil && out.shutdown != nil)
        let manifest = try WireCoding.decode(PluginManifest.self, from: String(agentStr: out.manifest_json))
        #expect(manifest.version == "0.0.1-test")
        #expect(manifest.agents.map(\.id) == ["entry-test"])
    }
}

/// The agent the test plugin entry exports.
let entryTestAgent = ChatAgent(id: "entry-test") { _ in StreamTextResult(text: "", finishReason: .stop, steps: 0) }

#agentPlugin(version: "0.0.1-test", agents: [entryTestAgent])
