import AgentWire
import CAgentABI

extension HostServiceRouter {
    /// Runs one tool call through the plugin, once its start is recorded: with
    /// its call id, chat, client data and the session's state (ABI 1.1), within its time limit, open for
    /// preliminary outputs while it runs, and given up at once when the turn is
    /// stopped (the plugin's `cancel_turn` cancels the tool itself).
    static func runTool(
        _ call: ModelToolCall, declared: ToolSpec?, lease: GenerationLease, log: any TurnLog, channel: TurnChannel,
        limits: RunLimits, registry: PluginRegistry
    ) async -> Result<StepLoop.ToolOutput, StepLoop.ToolFailure> {
        let name = call.name
        let limit = limits.toolLimit(for: declared)
        let request = ToolCallRequest(
            agent: lease.agent, tool: name, input: call.input, toolCallId: call.id, chatId: log.chatId,
            clientData: await log.clientData, state: await log.agentState?.state
        )
        channel.toolCallBegan(call.id)
        defer { channel.toolCallEnded(call.id) }
        // Durable before the tool runs: after a crash, a start without an
        // output is a call that may have had effects (README, "Tools after a crash").
        guard await channel.commitToolCallStart(call.id) else {
            return .failure(.init(message: "tool `\(name)` did not run: its turn ended first"))
        }
        guard let answer = await PluginCalls.value(within: limit, of: {
            await lease.plugin.callTool(turnId: channel.turnId, request)
        }) else {
            if Task.isCancelled { return .failure(.init(message: "tool `\(name)` was cancelled")) }
            await registry.recordHang(lease, what: "tool `\(name)`")
            return .failure(.init(message: "tool `\(name)` timed out after \(limit.secondsText)"))
        }
        let (status, reply) = answer
        guard status == AGENT_OK else { return .failure(.init(message: reply)) }
        guard let output = try? WireCoding.decode(JSONValue.self, from: reply) else {
            return .failure(.init(message: "tool `\(name)` returned invalid JSON"))
        }
        guard declared?.modelOutput == true else { return .success(StepLoop.ToolOutput(output)) }
        // The manifest promised the envelope: the UI's output and the model's compact form.
        guard let result = try? WireCoding.decode(ToolModelOutputResult.self, from: reply) else {
            return .failure(.init(message: "tool `\(name)` declares modelOutput but returned no {\"output\", \"modelOutput\"} object"))
        }
        return .success(StepLoop.ToolOutput(result.output, modelOutput: result.modelOutput))
    }
}

extension ToolSpec {
    /// Whether a call cut off by a crash runs again: the tool says it is safe,
    /// or it delegates, and running it again reattaches to its child session.
    var runsAgainAfterCrash: Bool { retryable == true || agent != nil }
}
