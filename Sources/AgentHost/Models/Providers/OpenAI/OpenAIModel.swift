import AgentWire

/// Any OpenAI Chat Completions server, streamed (reference/protocols.md §5):
/// OpenAI itself, or Ollama, vLLM, llama.cpp server, LM Studio, OpenRouter
/// through `OPENAI_BASE_URL`. No guaranteed prefill (`supportsAssistantPrefill`
/// is false): a resumed step's prefix is sent as a final assistant message.
public struct OpenAIModel: LanguageModel {
    public let model: String
    public let baseURL: String
    /// Local servers need none; then no `Authorization` header is sent.
    let apiKey: String?
    let maxTokens: Int?

    public var identifier: String { "openai:\(model)" }

    public init(model: String, apiKey: String?, baseURL: String = ProviderSettings.defaultOpenAIBaseURL, maxTokens: Int? = nil) {
        self.model = model
        self.apiKey = apiKey
        self.baseURL = baseURL
        self.maxTokens = maxTokens
    }

    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        let body: JSONValue
        do {
            body = try OpenAIRequestBody.make(model: model, request: request, maxTokens: maxTokens)
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        var headers: [(name: String, value: String)] = [
            ("content-type", "application/json"),
            ("accept", "text/event-stream"),
        ]
        if let apiKey { headers.append(("authorization", "Bearer \(apiKey)")) }
        let endpoint = ProviderEndpoint(provider: "OpenAI", url: "\(baseURL)/chat/completions", headers: headers)
        return ProviderHTTP.stream(endpoint, body: ProviderHTTP.jsonBody(body), decoder: OpenAIStreamDecoder())
    }
}
