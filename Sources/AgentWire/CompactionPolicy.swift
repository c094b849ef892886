/// When and how the host compacts an agent's conversation (README, "Steering
/// and compaction"): when the predicate holds — by default, the last model step
/// read more than `maxInputTokens` — at the end of a turn or between the steps
/// of a tool turn, the host summarises the conversation (by default, the
/// agent's model does) and appends a `compaction` record; from then on the
/// model gets the summary plus what came after it, while `/messages` keeps
/// every message.
///
/// `shouldCompact` and `summarize` run in the plugin (`call_hook` events of the
/// same names, listed in the manifest's `hooks`); they do not cross the wire
/// themselves, so two policies are equal when their wire fields are and they
/// set the same closures.
public struct CompactionPolicy: Codable, Sendable, Hashable {
    /// The default predicate: compact once the last step read more input tokens
    /// than this. A model that reports no usage is measured by an estimate (a
    /// token per four characters of the request). A custom `shouldCompact`
    /// replaces the test and gets it in `CompactionCheck.maxInputTokens`.
    public var maxInputTokens: Int
    /// What the default summary request asks the model for; nil: the host's default prompt.
    public var instructions: String?
    /// A custom predicate, asked after every step that has a step after it
    /// (`.betweenSteps`) and after the turn (`.turnEnd`); nil: the threshold.
    public var shouldCompact: (@Sendable (CompactionCheck) async -> Bool)?
    /// A custom summariser of the model context being compacted (the
    /// conversation before the running answer, between steps); nil: the model
    /// summarises. A throw means no compaction this time (the host logs it).
    public var summarize: (@Sendable ([PromptMessage]) async throws -> String)?

    /// A compaction policy.
    ///
    /// - Parameters:
    ///   - maxInputTokens: The last step's input tokens above which the conversation compacts.
    ///   - instructions: The default summary prompt's text; nil for the host's.
    ///   - shouldCompact: A predicate that replaces the threshold; nil: the threshold.
    ///   - summarize: A summariser that replaces the model's summary; nil: the model summarises.
    public init(
        maxInputTokens: Int, instructions: String? = nil,
        shouldCompact: (@Sendable (CompactionCheck) async -> Bool)? = nil,
        summarize: (@Sendable ([PromptMessage]) async throws -> String)? = nil
    ) {
        self.maxInputTokens = maxInputTokens
        self.instructions = instructions
        self.shouldCompact = shouldCompact
        self.summarize = summarize
    }

    private enum CodingKeys: String, CodingKey {
        case maxInputTokens, instructions
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        maxInputTokens = try container.decode(Int.self, forKey: .maxInputTokens)
        instructions = try container.decodeIfPresent(String.self, forKey: .instructions)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(maxInputTokens, forKey: .maxInputTokens)
        try container.encodeIfPresent(instructions, forKey: .instructions)
    }

    public static func == (lhs: CompactionPolicy, rhs: CompactionPolicy) -> Bool {
        lhs.maxInputTokens == rhs.maxInputTokens && lhs.instructions == rhs.instructions
            && (lhs.shouldCompact == nil) == (rhs.shouldCompact == nil) && (lhs.summarize == nil) == (rhs.summarize == nil)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(maxInputTokens)
        hasher.combine(instructions)
        hasher.combine(shouldCompact == nil)
        hasher.combine(summarize == nil)
    }
}

/// What a compaction predicate decides on (`CompactionPolicy.shouldCompact`,
/// the `shouldCompact` hook event's `compactionCheck`).
public struct CompactionCheck: Codable, Sendable, Hashable {
    /// Where the host asks.
    public enum Source: String, Codable, Sendable, Hashable {
        /// After a turn's response ended (the outer loop).
        case turnEnd
        /// At a step boundary of a tool turn, before its next model request (the inner loop).
        case betweenSteps
    }

    /// The last step's input tokens, as reported (or estimated).
    public var inputTokens: Int
    /// The last step's input and output tokens: about what the next request reads.
    public var totalTokens: Int
    /// How many messages the last step's request had (model messages: a tool
    /// result is one of its own).
    public var messageCount: Int
    /// Where the host asks.
    public var source: Source
    /// The policy's threshold, for a predicate that builds on it.
    public var maxInputTokens: Int
    /// The session it is asked for.
    public var chatId: String

    /// A check.
    ///
    /// - Parameters:
    ///   - inputTokens: The last step's input tokens.
    ///   - totalTokens: The last step's input and output tokens.
    ///   - messageCount: The last request's message count.
    ///   - source: Where the host asks.
    ///   - maxInputTokens: The policy's threshold.
    ///   - chatId: The session.
    public init(inputTokens: Int, totalTokens: Int, messageCount: Int, source: Source, maxInputTokens: Int, chatId: String = "") {
        self.inputTokens = inputTokens
        self.totalTokens = totalTokens
        self.messageCount = messageCount
        self.source = source
        self.maxInputTokens = maxInputTokens
        self.chatId = chatId
    }
}

/// plugin → host, the result of a `shouldCompact` hook call.
public struct CompactionDecision: Codable, Sendable, Hashable {
    /// Whether to compact now.
    public var compact: Bool

    /// A decision.
    ///
    /// - Parameters:
    ///   - compact: Whether to compact now.
    public init(compact: Bool) {
        self.compact = compact
    }
}

/// plugin → host, the result of a `summarize` hook call.
public struct CompactionSummary: Codable, Sendable, Hashable {
    /// The summary the model gets in place of the messages it covers.
    public var summary: String

    /// A summary.
    ///
    /// - Parameters:
    ///   - summary: Its text.
    public init(summary: String) {
        self.summary = summary
    }
}
