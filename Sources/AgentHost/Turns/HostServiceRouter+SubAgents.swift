import AgentWire

extension HostServiceRouter {
    /// `agent.call`: the turn's plugin runs another agent as a child session.
    func callAgent(request: String, channel: TurnChannel) async throws -> String {
        let call = try WireCoding.decode(AgentCallRequest.self, from: request)
        guard let subAgents = services.subAgents else {
            throw AgentHostError.badRequest("this host runs no sub-agents")
        }
        if let toolCallId = call.toolCallId, !channel.isRunningToolCall(toolCallId) {
            throw AgentHostError.badRequest("`toolCallId` \(toolCallId) is not a running tool call of this turn")
        }
        let reply = try await subAgents.call(
            call, parentChatId: log.chatId, parentInSeq: await log.checkpoint?.inSeq, channel: channel
        )
        return try WireCoding.encodeString(reply)
    }
}
