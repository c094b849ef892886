import AgentWire

extension ModelStreamRequest {
    /// Fills in the tools the plugin left out of its `model.stream` request: the
    /// agent's declared ones. (Left-out `messages` mean this turn's conversation,
    /// which the router hands the step loop already converted.) A plugin in C can
    /// then run a turn with a constant request instead of building JSON.
    func withTurnDefaults(agentTools: [ToolSpec]) -> ModelStreamRequest {
        var request = self
        if request.inheritsTools {
            request.tools = agentTools
            request.inheritsTools = false
        }
        return request
    }
}
