import AgentWire

/// What a turn's `run` and its hooks are told about it (ABI 1.1): why it
/// runs, its number, the message it answers, the client's data and the
/// chat's usage so far. The session derives it from its log, so a turn
/// resumed after a crash is told the same.
struct TurnContext: Sendable, Hashable {
    /// Why the turn runs, as its input says (a resumed or moved turn's attempts say so themselves).
    var reason: TurnReason = .submit
    /// The chat's turn count, 1 for its first turn.
    var number = 1
    /// The id of the newest user message: the one the turn answers.
    var messageId: String?
    /// The session's creation clientData with the input's `metadata` merged over it.
    var clientData: JSONValue?
    /// Tokens the chat used before this turn.
    var usageBefore: ModelUsage?
    /// The chat's `chat-start` record is not written yet and this is its first
    /// turn: `onChatStart` is due (after a crash too, if it never got that far).
    var chatStartPending = false

    /// An event of this turn with its context filled in.
    /// - Parameters:
    ///   - hook: The event.
    ///   - log: The turn's log, which names the agent and the chat.
    func event(_ hook: LifecycleHook, log: any TurnLog) -> HookEvent {
        var event = HookEvent(hook: hook, agent: log.agent, chatId: log.chatId)
        event.clientData = clientData
        event.reason = reason
        event.turnNumber = number
        event.messageId = messageId
        event.totalUsage = usageBefore
        return event
    }
}

/// How a turn's answer stands, for the turn-complete hooks.
struct TurnSummary: Sendable {
    /// The answer message as the history holds it.
    var response: UIMessage?
    /// The turn's progress as its log tells it: how the response ended, its usage.
    var checkpoint: TurnCheckpoint?
    /// The chat's usage so far, this turn's included.
    var totalUsage: ModelUsage?
}
