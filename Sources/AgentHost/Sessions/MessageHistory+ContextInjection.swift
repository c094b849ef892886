import AgentWire

/// Where injected context sits in the history, and how the model's
/// conversation gets it (ContextInjections).
extension MessageHistory {
    /// Where a `data-context-injected` record places its injections: after
    /// the complete steps of the answer being streamed; before its first step,
    /// ahead of the user message it answers (the model reads the context, then
    /// the question); after the last message when no answer is open.
    var injectionAnchor: (message: Int, part: Int) {
        guard let open = openAssistant else { return (messages.count, 0) }
        let parts = messages[open].parts
        if !parts.contains(where: { $0["type"] == "step-start" }), open > 0, messages[open - 1].role == "user" {
            return (open - 1, 0)
        }
        return (open, parts.count)
    }

    /// The model's conversation `all` with the placed injections in their
    /// places; a compaction's summary stands for what it covers, injections
    /// placed before it included.
    func injectedConversation(_ all: [ModelMessage]) -> [ModelMessage] {
        let settled = openAssistant ?? messages.count
        // How many model messages the first `count` UI messages convert to.
        let modelCount = { (count: Int) -> Int in
            if let converted = modelCache.convertedCount(ofFirst: count) { return converted }
            let converted = modelCache.convertedCount(ofFirst: settled) ?? 0
            return converted + ModelMessage.from(Array(messages[settled..<count]), modelOutputs: modelOutputs).count
        }
        guard let compaction, compaction.messageCount > 0 else {
            return injections.insert(
                into: all, messages: messages, modelOutputs: modelOutputs, covered: { _ in false }, cut: 0, modelCount: modelCount
            )
        }
        let cut = modelCount(min(compaction.messageCount, messages.count))
        return [compaction.modelMessage] + injections.insert(
            into: all, messages: messages, modelOutputs: modelOutputs, covered: compaction.covers, cut: cut,
            modelCount: modelCount
        )
    }
}
