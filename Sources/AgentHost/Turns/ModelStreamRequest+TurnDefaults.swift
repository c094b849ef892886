import AgentWire

extension ModelStreamRequest {
    /// Fills in what the plugin left out of its `model.stream` request: the
    /// turn's conversation and the agent's declared tools. A plugin in C can
    /// then run a turn with a constant request instead of building JSON.
    func withTurnDefaults(conversation: [UIMessage], agentTools: [ToolSpec]) -> ModelStreamRequest {
        var request = self
        if request.inheritsMessages {
            request.messages = conversation
            request.inheritsMessages = false
        }
        if request.inheritsTools {
            request.tools = agentTools
            request.inheritsTools = false
        }
        return request
    }
}
