/// When and how the host compacts an agent's conversation: once the model read
/// more than `maxInputTokens` in the last step of a turn, the host asks the
/// agent's model for a summary of the conversation so far and appends a
/// `compaction` record; from then on the model gets the summary plus what came
/// after it, while `/messages` keeps every message.
public struct CompactionPolicy: Codable, Sendable, Hashable {
    /// Compact after a turn whose last step read more input tokens than this.
    /// A model that reports no usage is measured by an estimate (a token per
    /// four characters of the request).
    public var maxInputTokens: Int
    /// What the summary request asks the model for; nil: the host's default prompt.
    public var instructions: String?

    /// A compaction policy.
    ///
    /// - Parameters:
    ///   - maxInputTokens: The last step's input tokens above which a turn compacts.
    ///   - instructions: The summary prompt; nil for the default.
    public init(maxInputTokens: Int, instructions: String? = nil) {
        self.maxInputTokens = maxInputTokens
        self.instructions = instructions
    }
}
