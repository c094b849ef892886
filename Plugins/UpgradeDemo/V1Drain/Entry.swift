import AgentKit
import UpgradeDemoCore

/// Build 1 of `upgrade-demo` with the drain policy: its running turns finish on it.
@_cdecl("agent_plugin_entry_v1")
public func agentPluginEntry(
    _ host: UnsafePointer<agent_host_api>?, _ out: UnsafeMutablePointer<agent_plugin_api>?, _ size: Int
) -> agent_status {
    AgentPlugin(version: "1", agents: [makeUpgradeDemo(version: "1", upgrade: .drain)]).export(host: host, out: out, size: size)
}
