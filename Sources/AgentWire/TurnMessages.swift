/// The request and result JSON that travel through `start_turn`, `call_service`,
/// `call_tool` and `finish_turn` (agent_plugin.h). Transport-neutral on purpose:
/// the same messages can later cross a socket to an isolated worker.

/// host → plugin, `start_turn`.
public struct TurnRequest: Codable, Sendable {
    public var turnId: UInt64
    public var agent: String
    public var chatId: String
    /// The whole conversation so far, the new user message last.
    public var messages: [UIMessage]
    /// The agent state last saved in this session, and the version label of the
    /// build that saved it; a newer build migrates it before `run`.
    public var state: JSONValue?
    public var stateVersion: String?
    /// The turn was cut off (crash, or a move to a new build) and `run` is called
    /// again to continue it: the answer so far is the last message.
    public var resumed: Bool?

    public init(turnId: UInt64, agent: String, chatId: String, messages: [UIMessage],
                state: JSONValue? = nil, stateVersion: String? = nil, resumed: Bool? = nil) {
        self.resumed = resumed
        self.turnId = turnId
        self.agent = agent
        self.chatId = chatId
        self.messages = messages
        self.state = state
        self.stateVersion = stateVersion
    }
}

/// plugin → host, service `state.save`: replace the session's agent state.
public struct StateSaveRequest: Codable, Sendable {
    public var state: JSONValue

    public init(state: JSONValue) {
        self.state = state
    }
}

/// plugin → host, `finish_turn` on success.
public struct TurnResult: Codable, Sendable {
    public var finishReason: FinishReason?

    public init(finishReason: FinishReason?) {
        self.finishReason = finishReason
    }
}

/// plugin → host, service `model.stream`: run the step loop and stream its output.
///
/// `messages` and `tools` may be left out of the JSON: the host then uses this
/// turn's conversation (what `start_turn` carried) and the agent's tools from
/// its manifest. That lets a plugin written in C run a turn with a constant
/// request such as `{"maxSteps":5}`, without parsing or building JSON.
public struct ModelStreamRequest: Codable, Sendable {
    /// `nil` or `"default"`: the daemon's configured model. Else `provider:model`.
    public var model: String?
    public var system: String?
    public var messages: [UIMessage]
    /// Stop after this many model requests.
    public var maxSteps: Int
    public var tools: [ToolSpec]
    /// The request left `messages` out: the host fills in the turn's conversation.
    public var inheritsMessages: Bool
    /// The request left `tools` out: the host fills in the agent's declared tools.
    public var inheritsTools: Bool

    public init(model: String?, system: String?, messages: [UIMessage], maxSteps: Int, tools: [ToolSpec]) {
        self.model = model
        self.system = system
        self.messages = messages
        self.maxSteps = maxSteps
        self.tools = tools
        self.inheritsMessages = false
        self.inheritsTools = false
    }

    private enum CodingKeys: String, CodingKey {
        case model, system, messages, maxSteps, tools
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        system = try container.decodeIfPresent(String.self, forKey: .system)
        maxSteps = try container.decode(Int.self, forKey: .maxSteps)
        let messages = try container.decodeIfPresent([UIMessage].self, forKey: .messages)
        self.messages = messages ?? []
        inheritsMessages = messages == nil
        let tools = try container.decodeIfPresent([ToolSpec].self, forKey: .tools)
        self.tools = tools ?? []
        inheritsTools = tools == nil
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(model, forKey: .model)
        try container.encodeIfPresent(system, forKey: .system)
        try container.encode(maxSteps, forKey: .maxSteps)
        if !inheritsMessages { try container.encode(messages, forKey: .messages) }
        if !inheritsTools { try container.encode(tools, forKey: .tools) }
    }
}

/// host → plugin, result of `model.stream`.
public struct ModelStreamResult: Codable, Sendable {
    public var text: String
    public var finishReason: FinishReason
    public var steps: Int
    /// Tokens used over all steps; absent when the model does not report usage
    /// (the scripted model). Optional so older plugins still decode the result.
    public var usage: ModelUsage?

    public init(text: String, finishReason: FinishReason, steps: Int, usage: ModelUsage? = nil) {
        self.text = text
        self.finishReason = finishReason
        self.steps = steps
        self.usage = usage
    }
}

/// host → plugin, `call_tool`.
public struct ToolCallRequest: Codable, Sendable {
    public var agent: String
    public var tool: String
    public var input: JSONValue

    public init(agent: String, tool: String, input: JSONValue) {
        self.agent = agent
        self.tool = tool
        self.input = input
    }
}

/// Names of the services a plugin may call through `call_service`.
public enum HostService {
    public static let modelStream = "model.stream"
    public static let stateSave = "state.save"
}
