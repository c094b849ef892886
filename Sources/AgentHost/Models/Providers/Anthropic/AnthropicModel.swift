import AgentWire

/// Claude through the Anthropic Messages API, streamed (reference/protocols.md §4).
public struct AnthropicModel: LanguageModel {
    public static let apiVersion = "2023-06-01"
    /// Used when `AGENT_HOST_MAX_TOKENS` is not set; Anthropic requires a limit.
    public static let defaultMaxTokens = 8192

    public let model: String
    public let baseURL: String
    let apiKey: String
    let maxTokens: Int
    let thinkingBudget: Int?

    public var identifier: String { "anthropic:\(model)" }
    public var supportsAssistantPrefill: Bool { true }

    public init(model: String, apiKey: String, baseURL: String = ProviderSettings.defaultAnthropicBaseURL,
                maxTokens: Int? = nil, thinkingBudget: Int? = nil) {
        self.model = model
        self.apiKey = apiKey
        self.baseURL = baseURL
        self.thinkingBudget = thinkingBudget
        // The thinking budget is part of max_tokens and must stay below it.
        let limit = maxTokens ?? Self.defaultMaxTokens
        self.maxTokens = thinkingBudget.map { max(limit, $0 + 1024) } ?? limit
    }

    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        let body: JSONValue
        do {
            body = try AnthropicRequestBody.make(
                model: model, request: request, options: .init(maxTokens: maxTokens, thinkingBudget: thinkingBudget)
            )
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        let endpoint = ProviderEndpoint(
            provider: "Anthropic",
            url: "\(baseURL)/v1/messages",
            headers: [
                ("x-api-key", apiKey),
                ("anthropic-version", Self.apiVersion),
                ("content-type", "application/json"),
                ("accept", "text/event-stream"),
            ]
        )
        return ProviderHTTP.stream(
            endpoint, body: ProviderHTTP.jsonBody(body), decoder: AnthropicStreamDecoder(assistantPrefix: request.assistantPrefix)
        )
    }
}
