import AgentWire

/// The agent's `prepareMessages` (a `call_hook` event, on the build that runs
/// the turn): before every model request of the step loop the agent gets the
/// model context (`PromptMessage`s) and why it is sent (`PromptReason`), and
/// returns what the model is sent instead — PII stripped, messages trimmed,
/// cache breakpoints set. The session's history and the loop's own
/// conversation stay as they are, so the next request is prepared from the
/// originals again. A hook that fails ends the turn with its error: context
/// the agent wanted changed is never sent unchanged.
extension HostServiceRouter {
    /// The agent's hooks on the build that runs the turn.
    var agentHooks: AgentHookCall {
        AgentHookCall(lease: lease, chatId: log.chatId, timeout: services.limits.toolTimeout)
    }

    /// The step loop's `prepareRequest`: the identity when the agent does not list `prepareMessages`.
    func prepareMessages() -> @Sendable (ModelRequest, PromptReason) async throws -> ModelRequest {
        let hooks = agentHooks
        guard hooks.listens(to: .prepareMessages) else { return { request, _ in request } }
        return { request, reason in try await hooks.prepare(request, reason: reason) }
    }
}
