import AgentWire
import CAgentABI

/// Runs deferred work (`run.defer`) after the turn that registered it: a
/// `runDeferred` event through `call_hook` on the agent's active build, under
/// a turn id of its own (so `cancel_turn` with it cancels the work), within
/// the work's time limit. The plugin holds the work's closure: a build that
/// does not have it (a new build went live since, or the process that
/// registered it is gone) answers that it has no such work.
enum DeferredWork {
    /// How the work ended: text to inject, or nothing; or why it failed.
    struct Outcome: Sendable, Hashable {
        var text: String?
        var error: String?

        static func failed(_ error: String) -> Outcome { Outcome(text: nil, error: error) }
    }

    /// Runs `deferral`; cancelling the calling task cancels the work (a closed session).
    static func run(_ deferral: ContextInjections.Deferral, agent: String, chatId: String, services: TurnServices) async -> Outcome {
        guard let lease = try? await services.registry.lease(agent: agent) else {
            return .failed("agent `\(agent)` has no build loaded")
        }
        let outcome = await run(deferral, lease: lease, chatId: chatId, services: services)
        await services.registry.release(lease)
        return outcome
    }

    private static func run(_ deferral: ContextInjections.Deferral, lease: GenerationLease, chatId: String, services: TurnServices) async -> Outcome {
        let plugin = lease.plugin
        guard plugin.hasHooks else { return .failed("the agent's build cannot run deferred work (no call_hook)") }
        var event = HookEvent(hook: .runDeferred, agent: lease.agent, chatId: chatId)
        event.deferralId = deferral.id
        guard let json = try? WireCoding.encodeString(event) else { return .failed("cannot encode the event") }
        let channel = services.turns.open { _, service, _ in
            throw AgentHostError.badRequest("host service `\(service)` is not available in deferred work")
        }
        defer { services.turns.close(channel.turnId) }
        let limit = Duration.milliseconds(Int64((max(deferral.timeoutSeconds, 0) * 1000).rounded()))
        let reply = await PluginCalls.value(within: limit) { await plugin.callHook(turnId: channel.turnId, json: json) }
        guard let (status, text) = reply else {
            let closed = Task.isCancelled
            await plugin.cancelTurn(channel.turnId, reason: closed ? .close : .timeout)
            return .failed(closed ? "cancelled: the session was closed" : "it did not finish within \(limit.secondsText)")
        }
        switch status {
        case AGENT_OK:
            guard let result = try? WireCoding.decode(DeferredResult.self, from: text) else {
                return .failed("its result is not {\"text\"?: string}")
            }
            return Outcome(text: result.text)
        case AGENT_ERR_UNSUPPORTED:
            return .failed("the agent's active build does not have this work (a new build went live since it was registered)")
        case AGENT_ERR_CANCELLED:
            return .failed("cancelled")
        default:
            return .failed(text)
        }
    }
}

/// A session's deferred work in this process: what its turns registered
/// (work the log holds that is not here was registered by a process that is
/// gone), and the tasks running it.
struct DeferredWorkTable: Sendable {
    var known: Set<String> = []
    var running: [String: Task<Void, Never>] = [:]

    /// Cancels all running work (the session closed); each still records how it ended.
    func cancelAll() {
        for task in running.values { task.cancel() }
    }
}
