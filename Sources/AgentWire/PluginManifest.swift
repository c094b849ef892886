/// What a plugin declares about itself, read once right after its entry function ran.
/// The JSON behind `agent_plugin_api.manifest_json`; AgentKit writes it for Swift
/// plugins, a C plugin writes it by hand.
public struct PluginManifest: Codable, Sendable, Hashable {
    /// A label for humans; a build's identity is its content hash.
    public var version: String
    /// The compiler that built the plugin (`agent_toolchain_id()`), checked against the host's.
    public var toolchain: String
    /// The agents the plugin serves; the host refuses a plugin with none.
    public var agents: [AgentManifest]
    /// What the plugin is written in: absent or `swift` (the toolchain must match
    /// the daemon's), or `c` (a stable C ABI: any C compiler will do, and the
    /// image must contain no Swift code). See README, "Agents in C".
    public var language: String?
    /// The plugin fetches a turn's earlier messages when it needs them
    /// (`conversation.messages`) instead of receiving all of them with every
    /// `start_turn`: a turn then costs the same at message 2,000 as at message 2.
    /// Absent or false: `start_turn` carries the whole conversation, as in ABI 1.0.
    public var messagesOnRequest: Bool?

    /// A manifest.
    ///
    /// - Parameters:
    ///   - version: The build's label.
    ///   - toolchain: `currentToolchainID` of the code that built the plugin.
    ///   - agents: The agents it serves.
    ///   - language: `c` for a plugin without Swift code; nil for Swift.
    ///   - messagesOnRequest: Whether `start_turn` may leave out the earlier messages.
    public init(
        version: String, toolchain: String, agents: [AgentManifest], language: String? = nil, messagesOnRequest: Bool? = nil
    ) {
        self.version = version
        self.toolchain = toolchain
        self.agents = agents
        self.language = language
        self.messagesOnRequest = messagesOnRequest
    }
}

/// One agent of a plugin as the host routes to it: its id, its tools, its drain policy.
public struct AgentManifest: Codable, Sendable, Hashable {
    /// The id sessions name; unique within the plugin.
    public var id: String
    /// The tools the model may call in this agent's turns.
    public var tools: [ToolSpec]
    /// What a running turn does when a new build goes live; `migrate` when absent.
    public var upgrade: UpgradePolicy?
    /// The longest a turn of this agent may run, in seconds; the host ends it
    /// with an error then. Absent: the daemon's default; never more than the
    /// daemon's cap (`serve --max-turn-duration`).
    public var maxTurnSeconds: Double?
    /// The `call_hook` events the agent listens to (ABI 1.1), by wire name; the
    /// host calls no other. Absent: every event, when the plugin has `call_hook`.
    /// Names this host does not know are ignored.
    public var hooks: [String]?
    /// What a message arriving while the agent is busy does; absent: `queue`.
    public var messageConcurrency: MessageConcurrency?
    /// When the host compacts the conversation the model sees; absent: never.
    public var compaction: CompactionPolicy?

    /// An agent's entry in the manifest.
    ///
    /// - Parameters:
    ///   - id: The agent's id.
    ///   - tools: Its tools.
    ///   - upgrade: Its drain policy; nil means `migrate`.
    ///   - maxTurnSeconds: Its turn time limit; nil leaves it to the daemon.
    ///   - hooks: The lifecycle events it listens to; nil: all of them.
    ///   - messageConcurrency: What a message arriving while it is busy does; nil: `queue`.
    ///   - compaction: When its conversation is compacted; nil: never.
    public init(
        id: String, tools: [ToolSpec], upgrade: UpgradePolicy? = nil, maxTurnSeconds: Double? = nil, hooks: [String]? = nil,
        messageConcurrency: MessageConcurrency? = nil, compaction: CompactionPolicy? = nil
    ) {
        self.id = id
        self.tools = tools
        self.upgrade = upgrade
        self.maxTurnSeconds = maxTurnSeconds
        self.hooks = hooks
        self.messageConcurrency = messageConcurrency
        self.compaction = compaction
    }

    /// Whether the agent asks for `hook` (a plugin without `call_hook` gets none anyway).
    ///
    /// - Parameters:
    ///   - hook: The event.
    public func listens(to hook: LifecycleHook) -> Bool {
        // These change what the model reads: only an agent that names them gets them.
        if hook.isOptIn { return hooks?.contains(hook.rawValue) ?? false }
        return hooks.map { $0.contains(hook.rawValue) } ?? true
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
    /// The name the model calls the tool by.
    public var name: String
    /// What the tool does, written for the model.
    public var description: String
    /// A JSON schema of the tool's input.
    public var inputSchema: JSONValue
    /// Set for a C tool: the host calls this function through libffi instead of
    /// the plugin's `call_tool`. When the manifest omits `inputSchema`, the
    /// schema is derived from this signature.
    public var cFunction: CFunctionSpec?
    /// How long one call may take, in seconds, before the model gets a
    /// timeout error instead of the output. Absent: the daemon's default;
    /// never more than the daemon's cap (`serve --tool-timeout`).
    public var timeoutSeconds: Double?
    /// Whether a call waits for a person's approval before the tool runs; nil: never.
    public var needsApproval: ToolApproval?
    /// True for a tool the client runs (the browser): the host never calls it; a
    /// call ends the turn with the part at `input-available` until the client
    /// sends the output.
    public var clientSide: Bool?
    /// True when the plugin answers a call of this tool with a `ToolModelOutputResult`
    /// (`{"output", "modelOutput"}`): the UI keeps `output`, the model gets
    /// `modelOutput` — in this turn and whenever the conversation is sent again.
    public var modelOutput: Bool?
    /// Set for a tool that delegates to another agent (`Tool.agent`): the id of
    /// the agent a call runs as a child session. `GET /api/v1/agents` shows it.
    public var agent: String?
    /// True when a call may run again after a crash cut it off (the daemon or
    /// the agent's worker died while it ran): the host runs it again with the
    /// same `toolCallId`, its idempotency key. Absent or false: an interrupted
    /// call is not run again; it ends with a `tool-output-error` saying so,
    /// which the model reads. A tool that delegates (`agent`) counts as
    /// retryable: running it again reattaches to the same child session.
    public var retryable: Bool?

    /// A tool's description for the model.
    ///
    /// - Parameters:
    ///   - name: The tool's name.
    ///   - description: What it does.
    ///   - inputSchema: A JSON schema of its input.
    ///   - cFunction: The C function the host calls for it, for a C tool.
    ///   - timeoutSeconds: How long one call may take; nil leaves it to the daemon.
    ///   - needsApproval: Whether a call waits for a person's approval; nil: never.
    ///   - clientSide: True when the client runs the tool, not the plugin.
    ///   - modelOutput: True when a call's result is a `ToolModelOutputResult`.
    public init(
        name: String, description: String, inputSchema: JSONValue, cFunction: CFunctionSpec? = nil,
        timeoutSeconds: Double? = nil, needsApproval: ToolApproval? = nil, clientSide: Bool? = nil,
        modelOutput: Bool? = nil
    ) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
        self.cFunction = cFunction
        self.timeoutSeconds = timeoutSeconds
        self.needsApproval = needsApproval
        self.clientSide = clientSide
        self.modelOutput = modelOutput
    }

    /// Decodes a tool from a manifest, deriving `inputSchema` from `cFunction`
    /// when a C plugin leaves it out, so a C author need not write a schema.
    ///
    /// - Parameters:
    ///   - decoder: The decoder positioned at the tool's JSON object.
    /// - Throws: `DecodingError.keyNotFound` when there is neither `inputSchema` nor `cFunction`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        description = try container.decode(String.self, forKey: .description)
        cFunction = try container.decodeIfPresent(CFunctionSpec.self, forKey: .cFunction)
        timeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .timeoutSeconds)
        needsApproval = try container.decodeIfPresent(ToolApproval.self, forKey: .needsApproval)
        clientSide = try container.decodeIfPresent(Bool.self, forKey: .clientSide)
        modelOutput = try container.decodeIfPresent(Bool.self, forKey: .modelOutput)
        agent = try container.decodeIfPresent(String.self, forKey: .agent)
        retryable = try container.decodeIfPresent(Bool.self, forKey: .retryable)
        if let schema = try container.decodeIfPresent(JSONValue.self, forKey: .inputSchema) {
            inputSchema = schema
        } else if let cFunction {
            inputSchema = cFunction.derivedInputSchema
        } else {
            throw DecodingError.keyNotFound(CodingKeys.inputSchema, .init(
                codingPath: container.codingPath, debugDescription: "tool `\(name)` has no inputSchema and no cFunction"
            ))
        }
    }
}
