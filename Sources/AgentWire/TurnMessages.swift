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

    public init(turnId: UInt64, agent: String, chatId: String, messages: [UIMessage]) {
        self.turnId = turnId
        self.agent = agent
        self.chatId = chatId
        self.messages = messages
    }
}

/// plugin → host, `finish_turn` on success.
public struct TurnResult: Codable, Sendable {
    public var finishReason: String?

    public init(finishReason: String?) {
        self.finishReason = finishReason
    }
}

/// plugin → host, service `model.stream`: run the step loop and stream its output.
public struct ModelStreamRequest: Codable, Sendable {
    /// `nil` or `"default"`: the daemon's configured model. Else `provider:model`.
    public var model: String?
    public var system: String?
    public var messages: [UIMessage]
    /// Stop after this many model requests.
    public var maxSteps: Int
    public var tools: [ToolSpec]

    public init(model: String?, system: String?, messages: [UIMessage], maxSteps: Int, tools: [ToolSpec]) {
        self.model = model
        self.system = system
        self.messages = messages
        self.maxSteps = maxSteps
        self.tools = tools
    }
}

/// host → plugin, result of `model.stream`.
public struct ModelStreamResult: Codable, Sendable {
    public var text: String
    public var finishReason: String
    public var steps: Int
    /// Tokens used over all steps; absent when the model does not report usage
    /// (the scripted model). Optional so older plugins still decode the result.
    public var usage: ModelUsage?

    public init(text: String, finishReason: String, steps: Int, usage: ModelUsage? = nil) {
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
}
