import AgentWire
@testable import AgentHost
import Foundation
import NIOHTTP1
import Testing

/// Retry bounds, `retry-after` parsing and how model names resolve to providers.
@Suite struct ProviderRetryAndCatalogTests {
    @Test func backoffGrowsIsCappedAndStopsAfterTheLastAttempt() {
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(100), maxDelay: .milliseconds(300))
        for (attempt, ceiling) in [(1, 100), (2, 200), (3, 300), (4, 300)] {
            let delay = policy.delay(afterAttempt: attempt, retryAfter: nil)
            #expect(delay.map { $0 >= .milliseconds(ceiling / 2) && $0 <= .milliseconds(ceiling) } == true)
        }
        #expect(policy.delay(afterAttempt: 5, retryAfter: nil) == nil)
        #expect(RetryPolicy(maxAttempts: 1).delay(afterAttempt: 1, retryAfter: .zero) == nil)
    }

    @Test func retryAfterWinsUnlessItIsLongerThanTheDaemonWaits() {
        let policy = RetryPolicy(maxAttempts: 3, maxRetryAfter: .seconds(60))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(7)) == .seconds(7))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(3600)) == nil)
    }

    @Test func retryAfterHeadersInSecondsMillisecondsAndHTTPDates() {
        #expect(RetryAfter.parse(HTTPHeaders([("retry-after", "12")])) == .seconds(12))
        #expect(RetryAfter.parse(HTTPHeaders([("retry-after", "0.5")])) == .milliseconds(500))
        #expect(RetryAfter.parse(HTTPHeaders([("retry-after-ms", "250"), ("retry-after", "1")])) == .milliseconds(250))
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(RetryAfter.parse(HTTPHeaders([("retry-after", "Tue, 14 Nov 2023 22:13:50 GMT")]), now: now) == .seconds(30))
        #expect(RetryAfter.parse(HTTPHeaders([("retry-after", "soon")])) == nil)
        #expect(RetryAfter.parse(HTTPHeaders([("retry-after-ms", "1e300"), ("retry-after", "-1")])) == nil)
        #expect(RetryAfter.parse(HTTPHeaders()) == nil)
    }

    @Test func whichFailuresAreWorthAnotherRequest() {
        func error(_ kind: ModelProviderError.Kind) -> ModelProviderError {
            ModelProviderError(provider: "Anthropic", kind: kind, message: "x")
        }
        #expect([429, 408, 500, 502, 503, 529].allSatisfy { error(.http(status: $0)).isRetryable })
        #expect([400, 401, 403, 404, 413, 422].allSatisfy { !error(.http(status: $0)).isRetryable })
        #expect(error(.transport).isRetryable && error(.truncated).isRetryable)
        #expect(!error(.malformed).isRetryable)
        #expect(error(.streamError(type: "overloaded_error")).isRetryable)
        #expect(!error(.streamError(type: "invalid_request_error")).isRetryable)
        var exhausted = error(.http(status: 503))
        exhausted.attempts = 3
        #expect(exhausted.description == "Anthropic API error (HTTP 503): x (gave up after 3 attempts)")
    }

    @Test func providerErrorBodiesAreQuotedByTheirMessage() {
        let anthropic = #"{"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your rate limit"}}"#
        #expect(ProviderErrorBody.message(from: anthropic, status: .tooManyRequests) == "rate_limit_error: Number of requests has exceeded your rate limit")
        let openAI = #"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#
        #expect(ProviderErrorBody.message(from: openAI, status: .unauthorized) == "invalid_request_error: Incorrect API key provided")
        #expect(ProviderErrorBody.message(from: "<html>Bad Gateway</html>", status: .badGateway) == "Bad Gateway: <html>Bad Gateway</html>")
        #expect(ProviderErrorBody.message(from: "", status: .serviceUnavailable) == "Service Unavailable")
    }

    @Test func modelNamesResolveToProviders() throws {
        let catalog = ModelCatalog(environment: [
            "AGENT_HOST_MODEL": "anthropic:claude-default",
            "ANTHROPIC_API_KEY": "sk-ant", "ANTHROPIC_BASE_URL": "http://127.0.0.1:9/",
            "OPENAI_API_KEY": "sk-oai",
        ])
        #expect(try catalog.model(named: nil).identifier == "anthropic:claude-default")
        #expect(try catalog.model(named: "default").identifier == "anthropic:claude-default")
        // What `Model.anthropic("…")` / `Model.openai("…")` send from an agent's code.
        #expect(try catalog.model(named: "anthropic:claude-sonnet-4-5").identifier == "anthropic:claude-sonnet-4-5")
        #expect(try catalog.model(named: "openai:gpt-4.1").identifier == "openai:gpt-4.1")
        #expect((try catalog.model(named: "scripted:echo") as? InstrumentedModel)?.base is ScriptedModel)
        #expect(try catalog.model(named: "anthropic:x").supportsAssistantPrefill)
        #expect(try !catalog.model(named: "openai:x").supportsAssistantPrefill)
        #expect(catalog.providers.anthropicBaseURL == "http://127.0.0.1:9")
        #expect(catalog.providers.openAIBaseURL == "https://api.openai.com/v1")
        #expect(catalog.banner == "model: anthropic:claude-default via http://127.0.0.1:9")
    }

    @Test func aMissingKeyOrProviderIsAClearErrorNotACrash() {
        let catalog = ModelCatalog(environment: ["AGENT_HOST_MODEL": "anthropic:claude-x", "ANTHROPIC_API_KEY": " "])
        #expect(throws: ModelCatalog.UnavailableModel(identifier: "anthropic:claude-x", reason: "ANTHROPIC_API_KEY is not set in the daemon's environment")) {
            try catalog.model(named: nil)
        }
        #expect(catalog.banner.contains("WARNING") && catalog.banner.contains("ANTHROPIC_API_KEY"))
        #expect(throws: ModelCatalog.UnavailableModel.self) { try catalog.model(named: "openai:gpt-4.1") }
        #expect(throws: ModelCatalog.UnavailableModel.self) { try catalog.model(named: "gemini:pro") }
        #expect(throws: ModelCatalog.UnavailableModel.self) { try catalog.model(named: "anthropic:") }
    }

    @Test func aLocalOpenAICompatibleServerNeedsNoKey() throws {
        let catalog = ModelCatalog(environment: ["OPENAI_BASE_URL": "http://localhost:11434/v1"])
        #expect(try catalog.model(named: "openai:llama3.2").identifier == "openai:llama3.2")
        #expect(catalog.defaultIdentifier == "scripted:echo")
    }

    @Test func theScriptedModelContinuesAfterAnAssistantPrefix() async throws {
        let model = ScriptedModel(delayMilliseconds: 0)
        var text = ""
        let request = ModelRequest(system: nil, messages: [.user("hello brave new world")], tools: [], assistantPrefix: "You said: hello brave")
        for try await event in model.stream(request) {
            if case .textDelta(let delta) = event { text += delta }
        }
        #expect(text == " new world")
    }
}
