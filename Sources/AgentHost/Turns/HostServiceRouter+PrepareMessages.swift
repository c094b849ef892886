import AgentWire
import CAgentABI

/// The agent's `prepareMessages` (a `call_hook` event, on the build that runs
/// the turn): before every model request of the step loop the agent gets the
/// model context (`PromptMessage`s) and returns what the model is sent instead
/// — PII stripped, messages trimmed. The session's history and the loop's own
/// conversation stay as they are, so the next request is prepared from the
/// originals again. A hook that fails ends the turn with its error: context
/// the agent wanted changed is never sent unchanged.
extension HostServiceRouter {
    /// The step loop's `prepareRequest`: the identity when the agent does not list `prepareMessages`.
    func prepareMessages(channel: TurnChannel) -> @Sendable (ModelRequest) async throws -> ModelRequest {
        guard lease.plugin.hasHooks, lease.agentManifest?.listens(to: .prepareMessages) == true else { return { $0 } }
        let (plugin, agent, chatId, timeout) = (lease.plugin, lease.agent, log.chatId, services.limits.toolTimeout)
        return { request in
            var conversion = PromptConversion()
            var event = HookEvent(hook: .prepareMessages, agent: agent, chatId: chatId)
            event.prompt = conversion.prompt(request.messages)
            let json = try WireCoding.encodeString(event)
            guard let (status, text) = await PluginCalls.value(within: timeout, of: { await plugin.callHook(turnId: 0, json: json) }) else {
                try Task.checkCancellation()
                throw AgentHostError.internalError("prepareMessages of agent `\(agent)` did not finish within \(timeout.secondsText)")
            }
            guard status == AGENT_OK else {
                throw AgentHostError.internalError("prepareMessages of agent `\(agent)` failed: \(text)")
            }
            guard let prepared = try? WireCoding.decode(PreparedMessages.self, from: text) else {
                throw AgentHostError.internalError("prepareMessages of agent `\(agent)` returned no {\"messages\": [...]}")
            }
            var request = request
            request.messages = try conversion.messages(prepared.messages)
            return request
        }
    }
}
