/// Tokens one model call (or a whole `streamText` run) consumed, normalised across
/// providers so an agent can meter or bill without knowing which one answered.
///
/// `inputTokens` counts every prompt token, cached ones included (Anthropic reports
/// cache reads and writes apart from `input_tokens`; they are added in here), so
/// `inputTokens + outputTokens` is what the request cost in tokens.
public struct ModelUsage: Codable, Sendable, Hashable {
    /// Every prompt token the provider read, cached ones included.
    public var inputTokens: Int
    /// Tokens the model generated, as the provider reports them.
    public var outputTokens: Int
    /// Part of `inputTokens` served from the provider's prompt cache, when reported.
    public var cachedInputTokens: Int?

    /// A usage report.
    ///
    /// - Parameters:
    ///   - inputTokens: All prompt tokens, cached ones included.
    ///   - outputTokens: Generated tokens.
    ///   - cachedInputTokens: The part of `inputTokens` served from the prompt cache, if reported.
    public init(inputTokens: Int, outputTokens: Int, cachedInputTokens: Int? = nil) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
    }

    /// What the request cost in tokens: input plus output.
    public var totalTokens: Int { inputTokens + outputTokens }

    /// Sums two reports, e.g. the steps of one turn; a missing side counts as
    /// nothing, and `cachedInputTokens` stays nil only when neither side has it.
    ///
    /// - Parameters:
    ///   - lhs: One report, or nil.
    ///   - rhs: The other report, or nil.
    /// - Returns: The sum, or nil when both are nil.
    public static func combine(_ lhs: ModelUsage?, _ rhs: ModelUsage?) -> ModelUsage? {
        guard let lhs else { return rhs }
        guard let rhs else { return lhs }
        let cached: Int? = (lhs.cachedInputTokens == nil && rhs.cachedInputTokens == nil)
            ? nil : (lhs.cachedInputTokens ?? 0) + (rhs.cachedInputTokens ?? 0)
        return ModelUsage(
            inputTokens: lhs.inputTokens + rhs.inputTokens,
            outputTokens: lhs.outputTokens + rhs.outputTokens,
            cachedInputTokens: cached
        )
    }
}
