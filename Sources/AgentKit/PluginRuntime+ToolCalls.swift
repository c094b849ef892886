import CAgentABI

/// `call_tool`: each call runs in a task of its own, kept with the turn it
/// belongs to so that `cancel_turn` cancels it (the tool sees `Task.isCancelled`
/// and its context's `signal`).
extension PluginRuntime {
    /// A running tool call and the turn it belongs to.
    struct ToolTask: Sendable {
        let turnId: UInt64
        let task: Task<Void, Never>
    }

    /// Cancels every running tool call of `turnId`.
    static func cancelToolTasks(ofTurn turnId: UInt64) {
        let tasks = state.withLock { state in state.toolTasks.values.filter { $0.turnId == turnId }.map(\.task) }
        for task in tasks { task.cancel() }
    }
}

func callToolEntry(
    _ turnId: UInt64, _ argsStr: agent_str, _ context: UnsafeMutableRawPointer?, _ done: agent_tool_done_fn?
) -> agent_status {
    guard let done else { return AGENT_ERR_INVALID }
    guard let call = try? WireCoding.decode(ToolCallRequest.self, from: String(agentStr: argsStr)) else {
        return AGENT_ERR_INVALID
    }
    let completion = Completion(context: context, done: done)
    return PluginRuntime.state.withLock { state -> agent_status in
        guard let tool = state.agents[call.agent]?.tools.first(where: { $0.name == call.tool }) else {
            return AGENT_ERR_UNSUPPORTED
        }
        let taskId = state.nextToolTask
        state.nextToolTask += 1
        let task = Task {
            do {
                if call.approvalCheck == true {
                    // Asked before the call runs: decide, never execute.
                    let needed = await tool.needsApproval.needsApproval(call.input)
                    completion(AGENT_OK, try WireCoding.encodeString(ToolApprovalCheck(needsApproval: needed)))
                } else if let execute = tool.execute {
                    let context = ToolContext(
                        toolCallId: call.toolCallId ?? "", chatId: call.chatId ?? "", state: call.state,
                        clientData: call.clientData, turnId: turnId
                    )
                    let result = try await execute(call.input, context)
                    // The manifest says which tools answer with the envelope.
                    let reply = tool.hasModelOutput ? try WireCoding.encodeString(result) : try WireCoding.encodeString(result.output)
                    completion(AGENT_OK, reply)
                } else {
                    completion(AGENT_ERR_UNSUPPORTED, "tool `\(call.tool)` runs on the client, not in the agent")
                }
            } catch is CancellationError {
                completion(AGENT_ERR_CANCELLED, "tool `\(call.tool)` was cancelled")
            } catch {
                completion(Task.isCancelled ? AGENT_ERR_CANCELLED : AGENT_ERR_INTERNAL, "\(error)")
            }
            _ = PluginRuntime.state.withLock { $0.toolTasks.removeValue(forKey: taskId) }
        }
        state.toolTasks[taskId] = PluginRuntime.ToolTask(turnId: turnId, task: task)
        return AGENT_OK
    }
}
