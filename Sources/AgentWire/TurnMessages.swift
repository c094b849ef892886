/// The request and result JSON that travel through `start_turn`, `call_service`,
/// `call_tool` and `finish_turn` (agent_plugin.h). Transport-neutral on purpose:
/// the same messages can later cross a socket to an isolated worker.

/// host → plugin, `start_turn`.
public struct TurnRequest: Codable, Sendable {
    /// The id the host chose for this turn; the same as `start_turn`'s `turn_id`.
    public var turnId: UInt64
    /// Which of the plugin's agents runs the turn (`AgentManifest.id`).
    public var agent: String
    /// The session the turn belongs to.
    public var chatId: String
    /// The whole conversation so far, the new user message last — or, for a
    /// plugin whose manifest says `messagesOnRequest`, only the newest message:
    /// `omittedMessages` says how many came before it (fetch them with
    /// `conversation.messages`).
    public var messages: [UIMessage]
    /// How many earlier messages `messages` leaves out; nil or 0: none.
    public var omittedMessages: Int?
    /// The agent state last saved in this session, and the version label of the
    /// build that saved it; a newer build migrates it before `run`.
    public var state: JSONValue?
    /// The version label of the build that saved `state`; nil when nothing was saved.
    public var stateVersion: String?
    /// The turn was cut off (crash, or a move to a new build) and `run` is called
    /// again to continue it: the answer so far is the last message.
    public var resumed: Bool?
    /// The session's creation clientData with the input's `metadata` merged over it (ABI 1.1).
    public var clientData: JSONValue?
    /// Why `run` runs (ABI 1.1).
    public var reason: TurnReason?
    /// The chat's turn count, 1 for its first turn (ABI 1.1).
    public var turnNumber: Int?
    /// The id of the user message the turn answers (ABI 1.1).
    public var messageId: String?
    /// The chat's token usage before this turn; nil while no model reported any (ABI 1.1).
    public var totalUsage: ModelUsage?

    /// A turn request.
    ///
    /// - Parameters:
    ///   - turnId: The turn's id.
    ///   - agent: The agent to run.
    ///   - chatId: The session's id.
    ///   - messages: The conversation, the new user message last.
    ///   - state: The session's saved agent state, if any.
    ///   - stateVersion: The version label of the build that saved it.
    ///   - resumed: True when the turn continues after a crash or a move to a new build.
    ///   - omittedMessages: How many earlier messages `messages` leaves out.
    public init(turnId: UInt64, agent: String, chatId: String, messages: [UIMessage],
                state: JSONValue? = nil, stateVersion: String? = nil, resumed: Bool? = nil, omittedMessages: Int? = nil) {
        self.resumed = resumed
        self.omittedMessages = omittedMessages
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
    /// The whole new state; the host stores it with the saving build's version label.
    public var state: JSONValue

    /// A save request.
    ///
    /// - Parameters:
    ///   - state: The state to store.
    public init(state: JSONValue) {
        self.state = state
    }
}

/// plugin → host, `finish_turn` on success.
public struct TurnResult: Codable, Sendable {
    /// Why the turn's answer ended; the host writes it into the `finish` chunk,
    /// `stop` when absent.
    public var finishReason: FinishReason?

    /// A turn result.
    ///
    /// - Parameters:
    ///   - finishReason: Why the answer ended, usually the last `streamText`'s reason.
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
    /// A system prompt for every step, or none.
    public var system: String?
    /// The conversation to answer.
    public var messages: [UIMessage]
    /// Stop after this many model requests.
    public var maxSteps: Int
    /// The tools the model may call; empty offers none.
    public var tools: [ToolSpec]
    /// The request left `messages` out: the host fills in the turn's conversation.
    public var inheritsMessages: Bool
    /// The request left `tools` out: the host fills in the agent's declared tools.
    public var inheritsTools: Bool

    /// A request that names its messages and tools (it inherits neither).
    ///
    /// - Parameters:
    ///   - model: `provider:model`, `default`, or nil for the daemon's model.
    ///   - system: A system prompt, or nil.
    ///   - messages: The conversation to answer.
    ///   - maxSteps: The most model requests; at least 1, or the host refuses the call.
    ///   - tools: The tools the model may call.
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

    /// Decodes a request, noting whether `messages` and `tools` were left out so
    /// the host can fill them in.
    ///
    /// - Parameters:
    ///   - decoder: The decoder positioned at the request's JSON object.
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

    /// Encodes the request, leaving out `messages` and `tools` when they are inherited.
    ///
    /// - Parameters:
    ///   - encoder: The encoder to write to.
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
    /// The text of every step this call ran, joined.
    public var text: String
    /// Why the last step ended (`stop`, `length`, `tool-calls`, …).
    public var finishReason: FinishReason
    /// The number of the last step: the steps this call ran, plus those a
    /// resumed turn had finished before it was cut off.
    public var steps: Int
    /// Tokens used over all steps; absent when the model does not report usage
    /// (the scripted model). Optional so older plugins still decode the result.
    public var usage: ModelUsage?

    /// A step loop's result; also what a test agent returns from `run` without a model.
    ///
    /// - Parameters:
    ///   - text: The answer's text.
    ///   - finishReason: Why it ended.
    ///   - steps: How many steps it took.
    ///   - usage: Tokens used, when the model reports them.
    public init(text: String, finishReason: FinishReason, steps: Int, usage: ModelUsage? = nil) {
        self.text = text
        self.finishReason = finishReason
        self.steps = steps
        self.usage = usage
    }
}

/// host → plugin, `call_tool`.
public struct ToolCallRequest: Codable, Sendable {
    /// The agent whose tool the model called.
    public var agent: String
    /// The tool's name (`ToolSpec.name`).
    public var tool: String
    /// The model's arguments, as the model wrote them: not yet checked against the schema.
    public var input: JSONValue
    /// True: do not run the tool, only say whether this call needs a person's
    /// approval (`ToolApprovalCheck`). Sent only for tools whose manifest says
    /// `"needsApproval": "when"`, so plugins without such tools never see it.
    public var approvalCheck: Bool?
    /// The model's id of this call (ABI 1.1): what the call's `tool-output-available`
    /// chunks name, preliminary ones included. Absent from older hosts.
    public var toolCallId: String?
    /// The session the call belongs to (ABI 1.1).
    public var chatId: String?
    /// The client's data for this turn (ABI 1.1): what the session was created
    /// with, the input's `metadata` merged over it. Absent when there is none.
    public var clientData: JSONValue?
    /// The session's agent state as last saved (ABI 1.1); absent when none was saved.
    public var state: JSONValue?

    /// A tool call.
    ///
    /// - Parameters:
    ///   - agent: The agent's id.
    ///   - tool: The tool's name.
    ///   - input: The model's arguments.
    ///   - approvalCheck: True to ask whether the call needs approval instead of running it.
    ///   - toolCallId: The model's id of the call.
    ///   - chatId: The session's id.
    ///   - clientData: The client's data for the turn, if any.
    ///   - state: The session's saved agent state, if any.
    public init(
        agent: String, tool: String, input: JSONValue, approvalCheck: Bool? = nil, toolCallId: String? = nil,
        chatId: String? = nil, clientData: JSONValue? = nil, state: JSONValue? = nil
    ) {
        self.agent = agent
        self.tool = tool
        self.input = input
        self.approvalCheck = approvalCheck
        self.toolCallId = toolCallId
        self.chatId = chatId
        self.clientData = clientData
        self.state = state
    }
}

/// plugin → host, the result of a call of a tool whose manifest says
/// `"modelOutput": true`: the full output for the UI and the stored message,
/// and the compact form the model gets instead.
public struct ToolModelOutputResult: Codable, Sendable {
    /// What the client streams and the stored message keeps.
    public var output: JSONValue
    /// What the model is told the tool returned; absent: `output`.
    public var modelOutput: JSONValue?

    /// A result.
    ///
    /// - Parameters:
    ///   - output: The full output, for the UI.
    ///   - modelOutput: The compact form, for the model; nil gives it `output`.
    public init(output: JSONValue, modelOutput: JSONValue?) {
        self.output = output
        self.modelOutput = modelOutput
    }
}

/// Names of the services a plugin may call through `call_service`.
public enum HostService {
    /// Run the step loop: `ModelStreamRequest` in, `ModelStreamResult` out.
    public static let modelStream = "model.stream"
    /// Replace the session's agent state: `StateSaveRequest` in, `{}` out.
    public static let stateSave = "state.save"
    /// The turn's whole conversation, as `start_turn` would have carried it
    /// without `messagesOnRequest`: `{}` in, `ConversationReply` out.
    public static let conversationMessages = "conversation.messages"
    /// The bytes of a file a message refers to: `FileReadRequest` in, `FileReadReply` out.
    public static let filesRead = "files.read"
    /// Run another agent as a child session of this turn's and wait for its
    /// answer: `AgentCallRequest` in, `AgentCallReply` out (README, "Sub-agents").
    public static let agentCall = "agent.call"
}

/// host → plugin, result of `conversation.messages`.
public struct ConversationReply: Codable, Sendable {
    /// The whole conversation of the turn, the newest message last.
    public var messages: [UIMessage]

    /// A reply.
    ///
    /// - Parameters:
    ///   - messages: The turn's conversation.
    public init(messages: [UIMessage]) {
        self.messages = messages
    }
}
