import AgentWire

/// An action input (`{"kind":"action","action":{…}}`) in the session's turn
/// slot: the agent's `onAction` hook runs, and what it answers is committed in
/// one append, so a crash never applies its edits twice:
///
/// - history edits → one `data-history-changed` record (folded by the history:
///   `/messages`, the model's context and a replay agree; readers reload);
/// - `respond` → the turn's `data-turn-start` and `start` in the same commit,
///   then the turn runs with reason `action`;
/// - otherwise → `data-turn-complete`: the action is over, nothing answers it.
///
/// An agent without `onAction` (or one that throws) answers nothing: the
/// action ends with `data-turn-complete` (after one `error` chunk for a throw).
/// A crash while the hook runs leaves the action unhandled in the log: the
/// hook runs again after the restart (its effects are committed at most once).
extension TurnRunner {
    /// Runs `onAction` for input `inSeq` and commits its outcome.
    /// - Returns: Whether a turn answers the action (its opening records are committed).
    static func handleAction(_ action: PendingAction, log: any TurnLog, inSeq: Int64, services: TurnServices) async throws -> Bool {
        let outcome = try await services.hooks.call(.onAction, agent: log.agent, into: log) {
            var event = HookEvent(hook: .onAction, agent: log.agent, chatId: log.chatId)
            event.clientData = action.clientData
            event.action = action.action
            event.messages = action.messages
            return event
        }
        var entries: [LogEntry] = []
        switch outcome {
        case .notCalled:
            break
        case .failed(let text):
            entries.append(.output(.error(errorText: text)))
        case .done(let result):
            let answer: ActionOutcome
            do {
                answer = try WireCoding.decode(ActionOutcome.self, from: result.isEmpty ? "{}" : result)
            } catch {
                services.logger.warning("onAction answered something that is not an action outcome", metadata: [
                    "chatId": "\(log.chatId)", "agent": "\(log.agent)", "result": "\(result)",
                ])
                let text = "hook `onAction` of agent `\(log.agent)` answered `\(result)`, which is not "
                    + "{\"respond\"?:bool, \"history\"?:[edit]}: \(error)"
                try await log.append([.output(.error(errorText: text)), .control(.turnComplete(inSeq: inSeq))])
                return false
            }
            if let edits = answer.history, !edits.isEmpty {
                entries.append(.control(.historyChanged(inSeq: inSeq, edits: edits)))
            }
            if answer.respond == true {
                let messageId = await log.responseMessageId(inSeq: inSeq)
                try await log.append(entries + framing(chatId: log.chatId, inSeq: inSeq, messageId: messageId))
                return true
            }
        }
        try await log.append(entries + [.control(.turnComplete(inSeq: inSeq))])
        return false
    }
}
