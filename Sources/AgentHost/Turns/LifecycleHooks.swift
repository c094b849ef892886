import AgentWire
import CAgentABI
import Logging

/// Calls an agent's lifecycle hooks (`call_hook`, ABI 1.1) on its active build.
///
/// A build without `call_hook`, or whose manifest does not list the event, is
/// not called at all. A hook called for a session (`log`: the turn hooks and
/// `onAction`) gets a turn id of its own for the call, which serves
/// `context.inject` (other services are refused). One that may write into the
/// turn (`onChatStart`, `onTurnStart`, `onBeforeTurnComplete`) also writes data
/// parts under it: they are committed to the session log, in order, before the
/// call counts as done. Hooks outside a session (`onChatClose`, `onSuspend`,
/// `onResume`) get no id: no service.
struct LifecycleHooks: Sendable {
    let registry: PluginRegistry
    let turns: TurnTable
    /// The longest the host waits for a hook's `done`.
    let timeout: Duration
    let logger: Logger

    /// How a hook call went.
    enum Outcome: Sendable, Equatable {
        /// The agent does not listen to the event (or has no build that could).
        case notCalled
        /// The hook ran; `result` is the JSON its `done` gave (`{}` for most hooks).
        case done(result: String)
        /// The hook failed; the text says so for the user.
        case failed(String)
    }

    /// Calls `hook` when the agent's active build listens to it.
    /// - Parameters:
    ///   - hook: The event.
    ///   - agent: The agent whose hook it is.
    ///   - log: The session the hook is called for: where it injects context
    ///     and, for a hook that writes into the turn, where its data parts go;
    ///     nil for an event outside a session.
    ///   - before: Runs only when the hook is called, right before the call
    ///     (e.g. commits the record that keeps it from being called twice).
    ///   - event: Builds the event; called after `before`.
    /// - Throws: What `before` or the log throws (storage failures); a failing hook is an `Outcome`.
    func call(
        _ hook: LifecycleHook, agent: String, into log: (any TurnLog)?, before: () async throws -> Void = {},
        event: () async -> HookEvent
    ) async throws -> Outcome {
        guard let lease = try? await registry.lease(agent: agent) else { return .notCalled }
        guard lease.plugin.hasHooks, lease.agentManifest?.listens(to: hook) ?? false else {
            await registry.release(lease)
            return .notCalled
        }
        do {
            try await before()
        } catch {
            await registry.release(lease)
            throw error
        }
        let outcome = await run(event(), lease: lease, for: log)
        await registry.release(lease)
        switch outcome {
        case .success(.written(let entries, let result)):
            if let log, !entries.isEmpty { try await log.append(entries) }
            return .done(result: result)
        case .success(.unsupported):
            return .notCalled
        case .failure(let failure):
            logger.warning("lifecycle hook failed", metadata: [
                "agent": "\(agent)", "hook": "\(hook.rawValue)", "error": "\(failure.message)",
            ])
            return .failed("hook `\(hook.rawValue)` of agent `\(agent)` failed: \(failure.message)")
        }
    }

    /// Calls a hook outside a turn (`onChatClose`, `onSuspend`, `onResume`):
    /// nothing can show its failure to a user, so it is logged.
    /// - Parameters:
    ///   - hook: The event.
    ///   - agent: The agent.
    ///   - chatId: The session.
    ///   - clientData: The session's creation clientData.
    func notify(_ hook: LifecycleHook, agent: String, chatId: String, clientData: JSONValue?) async {
        do {
            _ = try await call(hook, agent: agent, into: nil) {
                var event = HookEvent(hook: hook, agent: agent, chatId: chatId)
                event.clientData = clientData
                return event
            }
        } catch {
            logger.error("lifecycle hook could not run", metadata: ["agent": "\(agent)", "hook": "\(hook.rawValue)", "error": "\(error)"])
        }
    }

    private enum Answer: Sendable {
        /// Done; the data parts it wrote, to commit, and its result JSON.
        case written([LogEntry], result: String)
        /// The plugin does not have this hook after all.
        case unsupported
    }

    private struct Failure: Error {
        var message: String
    }

    /// One `call_hook`, with a channel for the session `log` when it is set:
    /// it serves `context.inject` and collects what a writing hook writes.
    private func run(_ event: HookEvent, lease: GenerationLease, for log: (any TurnLog)?) async -> Result<Answer, Failure> {
        guard let json = try? WireCoding.encodeString(event) else { return .failure(Failure(message: "cannot encode the event")) }
        let channel = log.map { log in
            turns.open { _, service, request in
                // Injected context waits in the log for the next model request
                // (this turn's first, or the next turn's): safe at any moment of a turn.
                guard service == HostService.contextInject else {
                    throw AgentHostError.badRequest("host service `\(service)` is not available in a lifecycle hook")
                }
                return try await HostServiceRouter.inject(request: request, into: log)
            }
        }
        defer { if let channel { turns.close(channel.turnId) } }
        let plugin = lease.plugin
        let turnId = channel?.turnId ?? 0
        let reply = await PluginCalls.value(within: timeout) { await plugin.callHook(turnId: turnId, json: json) }
        // The plugin's writes reached the channel before its `done` (same thread
        // in-process, same socket from a worker); closing it keeps any later one out.
        channel?.finish(status: AGENT_OK, result: "")
        var entries: [LogEntry] = []
        if let channel {
            while case let batch = await channel.nextBatch(), !batch.isEmpty {
                // A hook whose moment has no open response writes nothing (AgentKit refuses it too).
                for case .chunk(let chunk) in batch where event.hook.writesIntoTurn { entries.append(.output(chunk)) }
            }
        }
        guard let (status, text) = reply else {
            await registry.recordHang(lease, what: "hook `\(event.hook.rawValue)`")
            return .failure(Failure(message: "it did not finish within \(timeout.secondsText)"))
        }
        switch status {
        case AGENT_OK: return .success(.written(entries, result: text))
        case AGENT_ERR_UNSUPPORTED: return .success(.unsupported)
        default: return .failure(Failure(message: text))
        }
    }
}
