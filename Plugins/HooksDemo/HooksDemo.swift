import AgentKit

/// What the client sends as `clientData` (at session creation, and as each
/// input's `metadata`): the user's plan and language.
struct Preferences: Decodable, Sendable {
    var plan: String?
    var locale: String?
}

/// The actions the client's buttons send (`transport.sendAction(chatId, {type: "undo"})`).
struct DemoAction: Decodable, Sendable {
    enum Kind: String, Decodable, Sendable {
        /// Undo the last exchange: the last user message and its answer go.
        case undo
        /// Answer the last user message again: its answer goes, and a turn answers it anew.
        case again
    }

    var type: Kind
}

/// The lifecycle hooks, typed clientData and actions of `chat.agent`, the
/// agent-host way: the chat is set up once, each finished turn is persisted to
/// the agent's own store, the answer ends with a summary part, and an "undo"
/// button removes the last exchange for good.
let hooksDemo = ChatAgent(
    id: "hooks-demo",
    onChatStart: { event in
        // Once per chat, also across crashes and new builds.
        await ChatStore.shared.record(["event": "chat-start", "chatId": .string(event.chatId), "clientData": event.clientData ?? .null])
    },
    onTurnStart: { event in
        // Before the answer streams: the user's message is safe even if the turn fails.
        await ChatStore.shared.record([
            "event": "turn-start", "chatId": .string(event.chatId), "turn": .number(Double(event.turnNumber)),
            "reason": .string(event.reason.rawValue), "messageId": event.messageId.map(JSONValue.string) ?? .null,
        ])
    },
    onBeforeTurnComplete: { event in
        // The response is still open: this part joins the answer.
        try event.writeData("turn-summary", [
            "turn": .number(Double(event.turnNumber)), "reason": .string(event.reason.rawValue),
            "stopped": .bool(event.stopped),
        ])
    },
    onTurnComplete: { event in
        // Finished, stopped or failed: persist what the user saw, and the usage.
        await ChatStore.shared.record([
            "event": "turn-complete", "chatId": .string(event.chatId), "turn": .number(Double(event.turnNumber)),
            "finishReason": event.finishReason.map { .string($0.rawValue) } ?? .null, "stopped": .bool(event.stopped),
            "error": event.error.map(JSONValue.string) ?? .null,
            "parts": .number(Double(event.responseMessage?.parts.count ?? 0)),
        ])
    },
    onChatClose: { event in
        await ChatStore.shared.record(["event": "chat-close", "chatId": .string(event.chatId)])
    },
    onAction: { event in
        // A payload that does not fit `DemoAction` ends the action with an error part saying why.
        let action = try event.action(as: DemoAction.self)
        await ChatStore.shared.record(["event": "action", "chatId": .string(event.chatId), "type": .string(action.type.rawValue)])
        guard let lastUser = event.messages.last(where: { $0.role == "user" }) else { return }
        switch action.type {
        case .undo:
            // Durable: `/messages`, the model's next context and a restart all lose the exchange.
            event.history.remove(from: lastUser.id)
        case .again:
            event.history.rollback(to: lastUser.id)
            // Not a turn unless asked: this one runs with `run.reason == .action`.
            event.startTurn()
        }
    }
) { run in
    // A value that does not fit `Preferences` ends the turn with an error part saying why.
    let preferences = try run.clientData(as: Preferences?.self)
    let tone = preferences?.plan == "pro" ? "Answer in depth." : "Answer briefly."
    let language = preferences?.locale.map { " Reply in the language of locale \($0)." } ?? ""
    return try await streamText(
        system: tone + language, messages: run.messages, signal: run.signal, stopWhen: .stepCount(15)
    )
}

#agentPlugin(version: "1.0.0", agents: [hooksDemo, contextDemo, compactDemo])
