import CAgentABI
import Synchronization

/// Why a running turn is being cancelled: set by the host's `cancelTurn`
/// event (ABI 1.1), which comes right before `cancel_turn`, so `run` sees
/// the reason by the time its task sees the cancellation.
final class TurnCancellation: Sendable {
    private struct State {
        var reason: CancelReason?
        var cancelled = false
    }

    private let state = Mutex(State())

    /// The host's reason, once it gave one.
    var reason: CancelReason? { state.withLock { $0.reason } }
    /// Whether `cancel_turn` came (with or without a reason).
    var isCancelled: Bool { state.withLock { $0.cancelled } }

    func record(_ reason: CancelReason) {
        state.withLock { $0.reason = reason }
    }

    func markCancelled() {
        state.withLock { $0.cancelled = true }
    }
}

// MARK: - call_hook

/// The plugin's `call_hook`: a lifecycle event of one of its agents, run in a
/// task of its own; `done` gets its result (`{}`, or `onAction`'s
/// `ActionOutcome`), or the hook's error for the user.
/// `AGENT_ERR_UNSUPPORTED` (and no `done`) for an agent or hook it does not have.
func callHookEntry(
    _ turnId: UInt64, _ eventStr: agent_str, _ context: UnsafeMutableRawPointer?, _ done: agent_tool_done_fn?
) -> agent_status {
    guard let event = try? WireCoding.decode(HookEvent.self, from: String(agentStr: eventStr)) else { return AGENT_ERR_INVALID }
    if event.hook == .cancelTurn {
        // Synchronous on purpose: `cancel_turn` follows on this thread and must find the reason set.
        guard let reason = event.cancelReason else { return AGENT_ERR_INVALID }
        PluginRuntime.state.withLock { $0.cancellations[turnId] }?.record(reason)
        done.map { Completion(context: context, done: $0)(AGENT_OK, "{}") }
        return AGENT_OK
    }
    guard let done else { return AGENT_ERR_INVALID }
    let completion = Completion(context: context, done: done)
    if let status = PluginRuntime.callSpecialHook(event, turnId: turnId, completion: completion) { return status }
    return PluginRuntime.state.withLock { state -> agent_status in
        guard let hook = state.agents[event.agent]?.hooks.closure(for: event, writer: HookWriter(turnId: turnId, writes: event.hook.writesIntoTurn)) else {
            return AGENT_ERR_UNSUPPORTED
        }
        let taskId = state.nextToolTask
        state.nextToolTask += 1
        state.hookTasks[taskId] = Task {
            do {
                completion(AGENT_OK, try await hook())
            } catch {
                completion(AGENT_ERR_INTERNAL, "\(error)")
            }
            _ = PluginRuntime.state.withLock { $0.hookTasks.removeValue(forKey: taskId) }
        }
        return AGENT_OK
    }
}

extension ChatAgent.Hooks {
    /// The hook `event` names, bound to its event value and returning its
    /// result JSON; nil when the agent has none.
    func closure(for event: HookEvent, writer: HookWriter) -> (@Sendable () async throws -> String)? {
        switch event.hook {
        case .onAction:
            return actionClosure(for: event, writer: writer)
        case .prepareMessages:
            guard let prepare = prepareMessages else { return nil }
            let value = PrepareMessagesEvent(messages: event.prompt ?? [], reason: event.promptReason ?? .run)
            return { try WireCoding.encodeString(PreparedMessages(messages: try await prepare(value))) }
        case .shouldCompact:
            guard let shouldCompact, let check = event.compactionCheck else { return nil }
            return { try WireCoding.encodeString(CompactionDecision(compact: await shouldCompact(check))) }
        case .summarize:
            guard let summarize else { return nil }
            let prompt = event.prompt ?? []
            return { try WireCoding.encodeString(CompactionSummary(summary: try await summarize(prompt))) }
        default:
            break
        }
        guard let hook = voidClosure(for: event, writer: writer) else { return nil }
        return {
            try await hook()
            return "{}"
        }
    }

    /// `onAction` bound to its event: returns the outcome the handler recorded.
    private func actionClosure(for event: HookEvent, writer: HookWriter) -> (@Sendable () async throws -> String)? {
        guard let hook = onAction else { return nil }
        let value = ActionEvent(
            chatId: event.chatId, clientData: event.clientData, action: event.action ?? .null, messages: event.messages ?? [],
            history: ChatHistory(messages: event.messages ?? []), writer: writer
        )
        return {
            try await hook(value)
            return try WireCoding.encodeString(value.history.recorder.withLock { $0 })
        }
    }

    /// The hooks that answer nothing but done or failed.
    private func voidClosure(for event: HookEvent, writer: HookWriter) -> (@Sendable () async throws -> Void)? {
        let (chatId, clientData) = (event.chatId, event.clientData)
        switch event.hook {
        case .onChatStart:
            guard let hook = onChatStart else { return nil }
            let value = ChatStartEvent(chatId: chatId, clientData: clientData, messageId: event.messageId, writer: writer)
            return { try await hook(value) }
        case .onTurnStart:
            guard let hook = onTurnStart else { return nil }
            let value = TurnStartEvent(
                chatId: chatId, clientData: clientData, reason: event.reason ?? .submit, turnNumber: event.turnNumber ?? 1,
                messageId: event.messageId, totalUsage: event.totalUsage, writer: writer
            )
            return { try await hook(value) }
        case .onBeforeTurnComplete, .onTurnComplete:
            guard let hook = event.hook == .onTurnComplete ? onTurnComplete : onBeforeTurnComplete else { return nil }
            let value = TurnCompleteEvent(
                chatId: chatId, clientData: clientData, reason: event.reason ?? .submit, turnNumber: event.turnNumber ?? 1,
                messageId: event.messageId, responseMessage: event.responseMessage, finishReason: event.finishReason,
                stopped: event.stopped ?? false, error: event.error, usage: event.usage, totalUsage: event.totalUsage,
                writer: writer
            )
            return { try await hook(value) }
        case .onChatClose, .onSuspend, .onResume:
            let hook = switch event.hook {
            case .onChatClose: onChatClose
            case .onSuspend: onSuspend
            default: onResume
            }
            guard let hook else { return nil }
            let value = ChatEvent(chatId: chatId, clientData: clientData)
            return { try await hook(value) }
        case .cancelTurn, .onAction, .prepareMessages, .runDeferred, .shouldCompact, .summarize:
            return nil
        }
    }
}
