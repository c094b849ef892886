import CAgentABI

/// The agents one plugin `.so` serves, and the code that hands them to the host.
///
/// You rarely use it directly: `#agentPlugin(version:agents:)` writes the plugin's
/// entry point, which builds an `AgentPlugin` and calls ``export(host:out:size:)``.
/// Write the entry point by hand only when it must do more than export agents:
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
    /// The build's version label, written into the manifest and saved with agent
    /// state so the next build's `ChatAgent.migrate` knows where state came from.
    public let version: String
    /// The agents this plugin serves, each under its own id.
    public let agents: [ChatAgent]

    /// Names the agents of one build.
    ///
    /// - Parameters:
    ///   - version: A label for humans (the build's identity is its content hash);
    ///     it reaches the next build's `migrate` as `fromVersion`.
    ///   - agents: The agents to serve; their ids must be distinct.
    public init(version: String, agents: [ChatAgent]) {
        self.version = version
        self.agents = agents
    }

    /// Answers the host's call to `agent_plugin_entry_v1`: checks the host's ABI,
    /// keeps its service table, and fills `out` with the plugin's functions and
    /// its manifest (agents, tools, upgrade policies, version, toolchain).
    ///
    /// The first call wins: a second call keeps the first host and its agents and
    /// logs a warning, because running turns hold on to that host table.
    ///
    /// - Parameters:
    ///   - host: The host's service table, valid for the life of the process.
    ///   - out: The table to fill with the plugin's functions and manifest.
    ///   - size: How many bytes of `out` the host provides.
    /// - Returns: `AGENT_OK`; `AGENT_ERR_UNSUPPORTED` when the host speaks another
    ///   ABI major, its table lacks a v1.0 service, or `out` is too small;
    ///   `AGENT_ERR_INVALID` when a pointer is missing or two agents share an id;
    ///   `AGENT_ERR_INTERNAL` when the manifest cannot be encoded.
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

        // `run.messages` fetches the past on request, so turns start with the newest message only.
        let manifest = PluginManifest(
            version: version, toolchain: currentToolchainID, agents: agents.map(\.manifest), messagesOnRequest: true
        )
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
            shutdown: { shutdownEntry($0, $1) },
            call_hook: { callHookEntry($0, $1, $2, $3) }
        )
        return AGENT_OK
    }
}
