/// plugin → host, `agent.call`: run another agent as a child session of the
/// calling turn's session and wait for its answer.
///
/// The child's chat id is derived from the parent's and the call's key (the
/// tool call id, or `key`), so a call made again — after a crash, a resumed
/// turn, a retried tool — finds the same child and its answer instead of
/// starting it twice.
public struct AgentCallRequest: Codable, Sendable, Hashable {
    /// The id of the agent to call, in any loaded plugin.
    public var agent: String
    /// The message the child agent answers, as a user message's text.
    public var message: String
    /// The tool call this sub-agent call serves: the child's progress streams
    /// as that call's preliminary outputs. Nil for a call made from `run`.
    public var toolCallId: String?
    /// What makes a call from `run` (no tool call) the same call when it is
    /// made again; nil for a tool call (its id is the key).
    public var key: String?

    /// A call request.
    ///
    /// - Parameters:
    ///   - agent: The agent to call.
    ///   - message: The message it answers.
    ///   - toolCallId: The tool call it serves, if any.
    ///   - key: The call's key when it serves no tool call.
    public init(agent: String, message: String, toolCallId: String? = nil, key: String? = nil) {
        self.agent = agent
        self.message = message
        self.toolCallId = toolCallId
        self.key = key
    }
}

/// host → plugin, result of `agent.call`: the child's finished answer.
public struct AgentCallReply: Codable, Sendable {
    /// The child session's chat id (its own log, stream and history).
    public var chatId: String
    /// The text of the child's answer: its text parts, joined.
    public var text: String
    /// The child's whole answer message.
    public var message: UIMessage

    /// A reply.
    ///
    /// - Parameters:
    ///   - chatId: The child session.
    ///   - text: The answer's text.
    ///   - message: The answer message.
    public init(chatId: String, text: String, message: UIMessage) {
        self.chatId = chatId
        self.text = text
        self.message = message
    }
}
