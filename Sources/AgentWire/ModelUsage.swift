/// Tokens one model call (or a whole `streamText` run) consumed, normalised across
/// providers so an agent can meter or bill without knowing which one answered.
///
/// `inputTokens` counts every prompt token, cached ones included (Anthropic reports
/// cache reads and writes apart from `input_tokens`; they are added in here), so
/// `inputTokens + outputTokens` is what the request cost in tokens.
public struct ModelUsage: Codable, Sendable, Hashable {
    public var inputTokens: Int
    public var outputTokens: Int
    /// Part of `inputTokens` served from the provider's prompt cache, when reported.
    public var cachedInputTokens: Int?

    public init(inputTokens: Int, outputTokens: Int, cachedInputTokens: Int? = nil) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
    }

    public var totalTokens: Int { inputTokens + outputTokens }

    /// Sums two reports; a missing side counts as nothing.
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
