extension Tool {
    /// The input of a tool that delegates to another agent: the message the
    /// other agent answers.
    public struct AgentInput: Codable, Sendable, Hashable {
        /// What the model asks the other agent, as a user message.
        public var message: String

        /// - Parameters:
        ///   - message: The message for the other agent.
        public init(message: String) {
            self.message = message
        }
    }

    /// A tool that hands the model's message to another agent, by id, in any
    /// loaded plugin. The other agent answers in a child session of this one
    /// (its own log, stream and history); while it works, the call's tool card
    /// shows its answer so far (preliminary outputs, each a snapshot of the
    /// child's message), and its final answer is the call's output.
    ///
    /// ```swift
    /// let research = Tool.agent(
    ///     name: "research", agent: "researcher",
    ///     description: "Ask the researcher to look something up; give it one clear question."
    /// )
    /// ```
    ///
    /// A call that is made again (a resumed turn, a retried step with the same
    /// call id) finds the same child and its answer: the other agent never
    /// answers one call twice. An unknown agent, a child that fails, and a
    /// call past the daemon's depth or fan-out limit become the call's error,
    /// which the model reads.
    ///
    /// - Parameters:
    ///   - name: The name the model calls the tool by.
    ///   - agent: The id of the agent that answers.
    ///   - description: What the other agent is for, written for the model.
    ///   - timeout: How long one call may take; nil leaves it to the daemon.
    ///   - output: Shapes the final output from the child's answer; nil: the
    ///     answer's text.
    public static func agent(
        name: String, agent: String, description: String, timeout: Duration? = nil,
        output: (@Sendable (AgentAnswer) throws -> JSONValue)? = nil
    ) -> Tool {
        let schema: JSONValue = [
            "type": "object",
            "properties": ["message": ["type": "string", "description": "The message for the agent, complete in itself."]],
            "required": ["message"],
        ]
        var tool = Tool(name: name, description: description, inputSchema: schema, timeout: timeout) {
            (input: AgentInput, context: ToolContext) -> JSONValue in
            let answer = try await context.callAgent(agent, message: input.message)
            return try output?(answer) ?? .string(answer.text)
        }
        tool.delegatesTo = agent
        return tool
    }
}

/// A sub-agent's finished answer (`ToolContext.callAgent`, `ChatRun.callAgent`).
public struct AgentAnswer: Sendable, Hashable {
    /// The child session's chat id: its stream and history are its own.
    public let chatId: String
    /// The answer's text parts, joined.
    public let text: String
    /// The whole answer message (tool parts, data parts, metadata).
    public let message: UIMessage
}

extension ToolContext {
    /// Runs another agent as a child session of this call and returns its
    /// answer. Its progress streams as this call's preliminary outputs; the
    /// child is keyed by this call's id, so the same call never runs it twice.
    ///
    /// - Parameters:
    ///   - agent: The id of the agent that answers, in any loaded plugin.
    ///   - message: The message it answers.
    /// - Throws: `StreamTextError` with the host's reason (an unknown agent, a
    ///   failed or stopped child, a depth or fan-out limit), or
    ///   `CancellationError` when this turn was stopped.
    public func callAgent(_ agent: String, message: String) async throws -> AgentAnswer {
        try await AgentAnswer.call(AgentCallRequest(agent: agent, message: message, toolCallId: toolCallId), turnId: turnId)
    }
}

extension ChatRun {
    /// Runs another agent as a child session of this chat from `run` and
    /// returns its answer.
    ///
    /// ```swift
    /// let facts = try await run.callAgent("researcher", message: "Three facts about otters", key: "facts")
    /// ```
    ///
    /// - Parameters:
    ///   - agent: The id of the agent that answers, in any loaded plugin.
    ///   - message: The message it answers.
    ///   - key: Names this call within the turn: the same key in the same turn
    ///     (e.g. when `run` runs again after a crash) finds the same child and
    ///     its answer instead of asking again.
    /// - Throws: `StreamTextError` with the host's reason, or `CancellationError`.
    public func callAgent(_ agent: String, message: String, key: String) async throws -> AgentAnswer {
        try await AgentAnswer.call(AgentCallRequest(agent: agent, message: message, key: key), turnId: turnId)
    }
}

extension AgentAnswer {
    static func call(_ request: AgentCallRequest, turnId: UInt64) async throws -> AgentAnswer {
        let reply = try await PluginRuntime.host.callService(
            turnId: turnId, service: HostService.agentCall, request: WireCoding.encodeString(request)
        )
        let decoded = try WireCoding.decode(AgentCallReply.self, from: reply)
        return AgentAnswer(chatId: decoded.chatId, text: decoded.text, message: decoded.message)
    }
}
