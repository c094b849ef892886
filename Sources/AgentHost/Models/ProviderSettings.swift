import Foundation

/// Provider configuration, read once from the daemon's environment.
///
/// Base URLs follow each official SDK's convention, so values copied from their
/// docs work: `ANTHROPIC_BASE_URL` without `/v1` (`https://api.anthropic.com`),
/// `OPENAI_BASE_URL` with it (`https://api.openai.com/v1`,
/// `http://localhost:11434/v1` for Ollama). An empty variable counts as unset.
public struct ProviderSettings: Sendable {
    public static let defaultAnthropicBaseURL = "https://api.anthropic.com"
    public static let defaultOpenAIBaseURL = "https://api.openai.com/v1"

    public var anthropicBaseURL: String
    public var anthropicAPIKey: String?
    public var openAIBaseURL: String
    public var openAIAPIKey: String?
    /// `max_tokens` (required by Anthropic; sent to OpenAI only when set).
    public var maxTokens: Int?
    /// Anthropic extended thinking budget; thinking is off when nil.
    public var anthropicThinkingBudget: Int?
    public var retry: RetryPolicy

    public init(environment: [String: String]) {
        func value(_ name: String) -> String? {
            guard let raw = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else {
                return nil
            }
            return raw
        }
        func baseURL(_ raw: String?, default fallback: String) -> String {
            var url = raw ?? fallback
            while url.hasSuffix("/") { url.removeLast() }
            return url
        }
        anthropicBaseURL = baseURL(value("ANTHROPIC_BASE_URL"), default: Self.defaultAnthropicBaseURL)
        anthropicAPIKey = value("ANTHROPIC_API_KEY")
        openAIBaseURL = baseURL(value("OPENAI_BASE_URL"), default: Self.defaultOpenAIBaseURL)
        openAIAPIKey = value("OPENAI_API_KEY")
        maxTokens = value("AGENT_HOST_MAX_TOKENS").flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
        anthropicThinkingBudget = value("AGENT_HOST_THINKING_BUDGET").flatMap(Int.init).flatMap { $0 > 0 ? max($0, 1024) : nil }
        retry = RetryPolicy(
            maxAttempts: value("AGENT_HOST_MODEL_MAX_ATTEMPTS").flatMap(Int.init) ?? 3,
            baseDelay: .milliseconds(value("AGENT_HOST_MODEL_RETRY_BASE_MS").flatMap(Int.init) ?? 500)
        )
    }

    /// A server on another base URL (Ollama, vLLM, llama.cpp, LM Studio) usually
    /// needs no key; api.openai.com always does.
    public var openAIRequiresKey: Bool { openAIBaseURL == Self.defaultOpenAIBaseURL }
}
