/// What a plugin declares about itself, read once right after its entry function ran.
public struct PluginManifest: Codable, Sendable, Hashable {
    /// A label for humans; a build's identity is its content hash.
    public var version: String
    /// The compiler that built the plugin (`agent_toolchain_id()`), checked against the host's.
    public var toolchain: String
    public var agents: [AgentManifest]

    public init(version: String, toolchain: String, agents: [AgentManifest]) {
        self.version = version
        self.toolchain = toolchain
        self.agents = agents
    }
}

public struct AgentManifest: Codable, Sendable, Hashable {
    public var id: String
    public var tools: [ToolSpec]
    /// What a running turn does when a new build goes live; `migrate` when absent.
    public var upgrade: UpgradePolicy?

    public init(id: String, tools: [ToolSpec], upgrade: UpgradePolicy? = nil) {
        self.id = id
        self.tools = tools
        self.upgrade = upgrade
    }
}

/// The drain policy of an agent's running turns when a new build becomes active.
public enum UpgradePolicy: String, Codable, Sendable, Hashable {
    /// Move to the new build at the next step boundary (the default).
    case migrate
    /// Finish the turn on the build it started on; the next turn uses the new one.
    case drain
}

/// A tool as the model sees it: a name, what it does, and a JSON schema for its input.
public struct ToolSpec: Codable, Sendable, Hashable {
    public var name: String
    public var description: String
    public var inputSchema: JSONValue

    public init(name: String, description: String, inputSchema: JSONValue) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
    }
}
