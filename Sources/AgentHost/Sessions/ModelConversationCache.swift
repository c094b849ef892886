import AgentWire

/// The conversation in the model's terms (`ModelMessage`), kept in step with the
/// UI history so that a turn does not convert the whole past again.
///
/// It holds the conversion of a prefix of the history's messages. The history
/// tells it when a message at some index changed or went away; the next
/// `conversation(of:settled:)` converts only what was added since.
struct ModelConversationCache: Sendable {
    private var converted: [ModelMessage] = []
    /// For each UI message converted, where its model messages end in `converted`.
    private var ends: [Int] = []

    /// Forgets the conversion of the message at `index` and every one after it.
    mutating func invalidate(from index: Int) {
        guard index < ends.count else { return }
        let keep = index == 0 ? 0 : ends[index - 1]
        ends.removeSubrange(index...)
        converted.removeSubrange(keep...)
    }

    /// How many model messages the first `count` UI messages converted to; nil
    /// when they are not all converted yet.
    func convertedCount(ofFirst count: Int) -> Int? {
        guard count <= ends.count else { return nil }
        return count == 0 ? 0 : ends[count - 1]
    }

    /// The model's view of `messages`: the first `settled` ones are final and
    /// cached; any after them (an answer still streaming) are converted each time.
    /// `modelOutputs`: tools' compact forms for the model, by message id then call id.
    mutating func conversation(
        of messages: [UIMessage], settled: Int, modelOutputs: [String: [String: JSONValue]] = [:]
    ) -> [ModelMessage] {
        while ends.count < settled {
            converted += ModelMessage.from([messages[ends.count]], modelOutputs: modelOutputs)
            ends.append(converted.count)
        }
        guard settled < messages.count else { return converted }
        // An answer that has only just started converts to nothing: hand out the
        // cached array itself rather than a copy of it.
        let tail = ModelMessage.from(Array(messages[settled...]), modelOutputs: modelOutputs)
        return tail.isEmpty ? converted : converted + tail
    }
}
