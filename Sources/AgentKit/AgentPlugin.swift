import CAgentABI

/// Exports agents from a plugin `.so`. A plugin has exactly one exported symbol:
///
/// ```swift
/// @_cdecl("agent_plugin_entry_v1")
/// public func agentPluginEntry(
///     _ host: UnsafePointer<agent_host_api>?, _ out: UnsafeMutablePointer<agent_plugin_api>?, _ size: Int
/// ) -> agent_status {
///     AgentPlugin(version: "1.0.0", agents: [myChat]).export(host: host, out: out, size: size)
/// }
/// ```
public struct AgentPlugin: Sendable {
    public let version: String
    public let agents: [ChatAgent]

    public init(version: String, agents: [ChatAgent]) {
        self.version = version
        self.agents = agents
    }

    public func export(
        host: UnsafePointer<agent_host_api>?,
        out: UnsafeMutablePointer<agent_plugin_api>?,
        size: Int
    ) -> agent_status {
        guard let host, let out else { return AGENT_ERR_INVALID }
        let hostAPI = host.pointee
        // Every v1.0 service up to finish_turn must be inside what the host filled.
        let required = MemoryLayout<agent_host_api>.offset(of: \.finish_turn).map { $0 + MemoryLayout<UnsafeRawPointer>.size }
        guard hostAPI.abi_major == AGENT_ABI_MAJOR, let required, Int(hostAPI.struct_size) >= required else {
            return AGENT_ERR_UNSUPPORTED
        }
        guard size >= MemoryLayout<agent_plugin_api>.size else { return AGENT_ERR_UNSUPPORTED }
        guard Set(agents.map(\.id)).count == agents.count else { return AGENT_ERR_INVALID }

        let manifest = PluginManifest(version: version, toolchain: currentToolchainID, agents: agents.map(\.manifest))
        guard let manifestJSON = try? WireCoding.encodeString(manifest) else { return AGENT_ERR_INTERNAL }

        let alreadyExported = PluginRuntime.state.withLock { state -> Bool in
            if state.host != nil { return true }
            state.host = HostServices(api: hostAPI)
            state.version = version
            state.agents = Dictionary(uniqueKeysWithValues: agents.map { ($0.id, $0) })
            state.manifest = immortalAgentStr(manifestJSON)
            return false
        }
        let manifestStr = PluginRuntime.state.withLock { $0.manifest }
        if alreadyExported { HostServices(api: hostAPI).log(AGENT_LOG_WARNING, "entry called twice; keeping the first host") }

        out.pointee = agent_plugin_api(
            struct_size: UInt32(MemoryLayout<agent_plugin_api>.size),
            abi_major: AGENT_ABI_MAJOR,
            abi_minor: AGENT_ABI_MINOR,
            manifest_json: manifestStr,
            start_turn: { startTurnEntry($0, $1) },
            cancel_turn: { cancelTurnEntry($0) },
            call_tool: { callToolEntry($0, $1, $2, $3) },
            shutdown: { shutdownEntry($0, $1) }
        )
        return AGENT_OK
    }
}
