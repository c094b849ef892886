import CAgentABI

/// `runDeferred`, the `call_hook` event that is no hook of `ChatAgent.Hooks`:
/// it runs work a turn registered with `run.defer`, under the host's turn id
/// for it (so `cancel_turn` with that id cancels it).
extension PluginRuntime {
    /// Handles `event` when it is `runDeferred`; nil for any other event.
    static func callSpecialHook(_ event: HookEvent, turnId: UInt64, completion: Completion) -> agent_status? {
        guard event.hook == .runDeferred else { return nil }
        return runDeferred(event.deferralId ?? "", turnId: turnId, completion: completion)
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
