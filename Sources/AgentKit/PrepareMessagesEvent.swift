/// What `prepareMessages` receives: the model context the host is about to
/// send, and why (README, "Injected context, deferred work and
/// prepareMessages"). It is a collection of its messages, so
/// `{ messages in messages.map(redact) }` reads as before reasons existed.
///
/// ```swift
/// prepareMessages: { messages in
///     var prepared = Array(messages)
///     // Cache everything before the newest message (Anthropic; OpenAI ignores it).
///     if prepared.count > 1 { prepared[prepared.count - 2].cacheControl = .ephemeral }
///     return prepared
/// }
/// ```
public struct PrepareMessagesEvent: RandomAccessCollection, Sendable {
    /// The model context, oldest first.
    public let messages: [PromptMessage]
    /// Which request it is for: `.run` for a step, `.compactionRebuild` for a
    /// step after a compaction between steps, `.compactionResult` for the
    /// request that asks the model for a compaction's summary.
    public let reason: PromptReason

    /// An event.
    ///
    /// - Parameters:
    ///   - messages: The model context.
    ///   - reason: Which request it is for.
    public init(messages: [PromptMessage], reason: PromptReason = .run) {
        self.messages = messages
        self.reason = reason
    }

    public var startIndex: Int { messages.startIndex }
    public var endIndex: Int { messages.endIndex }
    public subscript(position: Int) -> PromptMessage { messages[position] }
}
