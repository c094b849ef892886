import CAgentABI

/// The `call_hook` events that are not lifecycle hooks of `ChatAgent.Hooks`:
/// `runDeferred` runs work a turn registered with `run.defer`, under the
/// host's turn id for it (so `cancel_turn` with that id cancels it);
/// `prepareMessages` passes the model context through the agent's hook.
extension PluginRuntime {
    /// Handles `event` when it is one of these; nil for any other event.
    static func callSpecialHook(_ event: HookEvent, turnId: UInt64, completion: Completion) -> agent_status? {
        switch event.hook {
        case .runDeferred:
            return runDeferred(event.deferralId ?? "", turnId: turnId, completion: completion)
        case .prepareMessages:
            return state.withLock { state -> agent_status in
                guard let prepare = state.agents[event.agent]?.prepareMessages else { return AGENT_ERR_UNSUPPORTED }
                let prompt = event.prompt ?? []
                let taskId = state.nextToolTask
                state.nextToolTask += 1
                state.hookTasks[taskId] = Task {
                    do {
                        completion(AGENT_OK, try WireCoding.encodeString(PreparedMessages(messages: try await prepare(prompt))))
                    } catch {
                        completion(AGENT_ERR_INTERNAL, "\(error)")
                    }
                    _ = PluginRuntime.state.withLock { $0.hookTasks.removeValue(forKey: taskId) }
                }
                return AGENT_OK
            }
        default:
            return nil
        }
    }

    /// Starts the work `id`, once: a build (or process) that does not hold it answers unsupported.
    private static func runDeferred(_ id: String, turnId: UInt64, completion: Completion) -> agent_status {
        state.withLock { state -> agent_status in
            guard let work = state.deferrals.removeValue(forKey: id), state.deferredTasks[turnId] == nil else {
                return AGENT_ERR_UNSUPPORTED
            }
            state.deferredTasks[turnId] = Task {
                do {
                    let text = try await work()
                    try Task.checkCancellation()
                    completion(AGENT_OK, try WireCoding.encodeString(DeferredResult(text: text)))
                } catch {
                    completion(Task.isCancelled ? AGENT_ERR_CANCELLED : AGENT_ERR_INTERNAL, "\(error)")
                }
                _ = PluginRuntime.state.withLock { $0.deferredTasks.removeValue(forKey: turnId) }
            }
            return AGENT_OK
        }
    }
}
