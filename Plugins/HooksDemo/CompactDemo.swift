import AgentKit

/// `compact-demo`: compaction decided and written by the agent itself
/// (README, "Steering and compaction"), offline with
/// `AGENT_HOST_MODEL=scripted:counting`; `/history` shows what the model was given.
///
/// - The predicate runs in the plugin: compact once a step read more than 300
///   input tokens, or once a request carries more than 20 messages — after a
///   turn, and between the steps of a tool turn (`/tool note {"fact":"…"}`).
/// - The summariser runs in the plugin too, with no model call: `Notes:` and
///   the user's messages, each cut to 60 characters.
/// - `prepareMessages` sets prompt cache breakpoints (Anthropic
///   `cache_control`): on the summary, when the context starts with one, and
///   on the newest message.
let compactDemo = ChatAgent(
    id: "compact-demo",
    tools: [note],
    compaction: CompactionPolicy(
        maxInputTokens: 300,
        shouldCompact: { check in check.inputTokens > check.maxInputTokens || check.messageCount > 20 },
        summarize: { messages in CompactDemo.notes(messages) }
    ),
    prepareMessages: { messages in CompactDemo.cachingBreakpoints(messages) }
) { run in
    try await streamText(messages: run.messages, signal: run.signal, stopWhen: .stepCount(4), tools: run.tools)
}

enum CompactDemo {
    /// The summary: `Notes: ` and every user message, cut to 60 characters.
    static func notes(_ messages: [PromptMessage]) -> String {
        let texts = messages.filter { $0.role == .user }.map { message in
            let text = message.text
            return text.count > 60 ? text.prefix(60) + "…" : text
        }
        return "Notes: " + texts.joined(separator: "; ")
    }

    /// Breakpoints on the summary (a stable prefix worth caching) and on the newest message.
    static func cachingBreakpoints(_ messages: PrepareMessagesEvent) -> [PromptMessage] {
        var prepared = Array(messages)
        if let first = prepared.first?.text, first.hasPrefix("Summary of the conversation") {
            prepared[0].cacheControl = .ephemeral
        }
        if !prepared.isEmpty { prepared[prepared.count - 1].cacheControl = .ephemeral }
        return prepared
    }
}
