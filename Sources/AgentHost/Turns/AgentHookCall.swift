import AgentWire
import CAgentABI

/// One agent's opt-in `call_hook` events on one build (`prepareMessages`,
/// `shouldCompact`, `summarize`): events whose results change what the model
/// reads, so only an agent whose manifest lists them is called. A call waits at
/// most `timeout`; a hook that fails, answers something else or overruns throws.
struct AgentHookCall: Sendable {
    let plugin: any PluginInstance
    let agent: String
    let chatId: String
    /// The longest one call may take (the tool timeout).
    let timeout: Duration

    /// The calls of the agent a lease holds, for session `chatId`.
    init(lease: GenerationLease, chatId: String, timeout: Duration) {
        self.plugin = lease.plugin
        self.agent = lease.agent
        self.chatId = chatId
        self.timeout = timeout
    }

    /// Whether the build has `call_hook` and the agent lists `hook`.
    func listens(to hook: LifecycleHook) -> Bool {
        plugin.hasHooks && plugin.manifest.agents.first { $0.id == agent }?.listens(to: hook) == true
    }

    /// Calls `hook` with the event `fill` completes, and decodes its result as `Result`.
    /// - Throws: `AgentHostError` when the hook fails, overruns or answers something else;
    ///   `CancellationError` when the caller was cancelled meanwhile.
    func call<Result: Decodable>(
        _ hook: LifecycleHook, as _: Result.Type, _ fill: (inout HookEvent) -> Void
    ) async throws -> Result {
        var event = HookEvent(hook: hook, agent: agent, chatId: chatId)
        fill(&event)
        let json = try WireCoding.encodeString(event)
        let plugin = plugin
        guard let (status, text) = await PluginCalls.value(within: timeout, of: { await plugin.callHook(turnId: 0, json: json) }) else {
            try Task.checkCancellation()
            throw AgentHostError.internalError("\(hook.rawValue) of agent `\(agent)` did not finish within \(timeout.secondsText)")
        }
        guard status == AGENT_OK else {
            throw AgentHostError.internalError("\(hook.rawValue) of agent `\(agent)` failed: \(text)")
        }
        do {
            return try WireCoding.decode(Result.self, from: text)
        } catch {
            throw AgentHostError.internalError("\(hook.rawValue) of agent `\(agent)` answered `\(text)`, not a \(Result.self)")
        }
    }

    /// The agent's `prepareMessages` applied to `request` (made for `reason`):
    /// what the model is sent, cache breakpoints included; `request` itself
    /// when the agent does not list the hook.
    func prepare(_ request: ModelRequest, reason: PromptReason) async throws -> ModelRequest {
        guard listens(to: .prepareMessages) else { return request }
        var conversion = PromptConversion()
        let prompt = conversion.prompt(request.messages)
        let prepared = try await call(.prepareMessages, as: PreparedMessages.self) { event in
            event.prompt = prompt
            event.promptReason = reason
        }
        var request = request
        (request.messages, request.cacheBreakpoints) = try conversion.messages(withBreakpoints: prepared.messages)
        return request
    }
}
