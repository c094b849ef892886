import AgentKit
import UpgradeDemoCore

@_cdecl("agent_plugin_entry_v1")
public func agentPluginEntry(
    _ host: UnsafePointer<agent_host_api>?, _ out: UnsafeMutablePointer<agent_plugin_api>?, _ size: Int
) -> agent_status {
    AgentPlugin(version: "2", agents: [makeUpgradeDemo(version: "2")]).export(host: host, out: out, size: size)
}
