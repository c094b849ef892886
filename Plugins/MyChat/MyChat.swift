import AgentKit

/// The seed's quick-start agent: every turn streams the model's answer to the
/// conversation so far, for at most 15 steps.
let myChat = ChatAgent(id: "my-chat") { run in
    try await streamText(
        model: .default,
        messages: run.messages,
        signal: run.signal,
        stopWhen: .stepCount(15)
    )
}

@_cdecl("agent_plugin_entry_v1")
public func agentPluginEntry(
    _ host: UnsafePointer<agent_host_api>?,
    _ out: UnsafeMutablePointer<agent_plugin_api>?,
    _ size: Int
) -> agent_status {
    AgentPlugin(version: "1.0.0", agents: [myChat]).export(host: host, out: out, size: size)
}
