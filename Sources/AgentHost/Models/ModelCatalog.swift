import Logging

/// Resolves the model an agent names to a provider: `default` (the daemon's
/// `AGENT_HOST_MODEL`, `scripted:echo` when unset), `scripted:echo`,
/// `anthropic:<model>` or `openai:<model>`.
///
/// A provider without its key is not an error at start-up: the daemon serves,
/// and a turn that needs the provider fails with a message naming the variable.
public struct ModelCatalog: Sendable {
    /// What `AGENT_HOST_MODEL` named, `scripted:echo` when unset.
    public let defaultIdentifier: String
    public let scriptedDelayMilliseconds: Int
    public let providers: ProviderSettings
    let logger: Logger
    /// Where every model request is counted (`InstrumentedModel`).
    public var metrics = HostMetrics()

    public init(defaultIdentifier: String?, scriptedDelayMilliseconds: Int,
                providers: ProviderSettings = ProviderSettings(environment: [:]),
                logger: Logger = Logger(label: "agent-host.models")) {
        self.defaultIdentifier = (defaultIdentifier?.isEmpty == false ? defaultIdentifier : nil) ?? "scripted:echo"
        self.scriptedDelayMilliseconds = scriptedDelayMilliseconds
        self.providers = providers
        self.logger = logger
    }

    public init(environment: [String: String], logger: Logger = Logger(label: "agent-host.models")) {
        self.init(
            defaultIdentifier: environment["AGENT_HOST_MODEL"],
            scriptedDelayMilliseconds: environment["AGENT_HOST_SCRIPTED_DELAY_MS"].flatMap(Int.init) ?? 20,
            providers: ProviderSettings(environment: environment),
            logger: logger
        )
    }

    /// Why a named model cannot answer; the turn's `error` chunk says this.
    public struct UnavailableModel: Error, CustomStringConvertible, Equatable {
        public let identifier: String
        public let reason: String
        public var description: String { "model `\(identifier)` is not available: \(reason)" }
    }

    /// The model `name` says, counted and traced (`InstrumentedModel`).
    public func model(named name: String?) throws -> any LanguageModel {
        InstrumentedModel(base: try provider(named: name), metrics: metrics)
    }

    private func provider(named name: String?) throws -> any LanguageModel {
        let identifier = (name == nil || name == "default") ? defaultIdentifier : (name ?? defaultIdentifier)
        let (provider, model) = Self.split(identifier)
        switch provider {
        case "scripted":
            return ScriptedModel(delayMilliseconds: scriptedDelayMilliseconds, reportsUsage: model == "counting")
        case "anthropic":
            guard !model.isEmpty else { throw UnavailableModel(identifier: identifier, reason: "name the model, e.g. `anthropic:claude-sonnet-4-5`") }
            guard let key = providers.anthropicAPIKey else {
                throw UnavailableModel(identifier: identifier, reason: "ANTHROPIC_API_KEY is not set in the daemon's environment")
            }
            let base = AnthropicModel(
                model: model, apiKey: key, baseURL: providers.anthropicBaseURL,
                maxTokens: providers.maxTokens, thinkingBudget: providers.anthropicThinkingBudget
            )
            return RetryingModel(base: base, policy: providers.retry, logger: logger, metrics: metrics)
        case "openai":
            guard !model.isEmpty else { throw UnavailableModel(identifier: identifier, reason: "name the model, e.g. `openai:gpt-4.1`") }
            if providers.openAIAPIKey == nil, providers.openAIRequiresKey {
                throw UnavailableModel(
                    identifier: identifier,
                    reason: "OPENAI_API_KEY is not set in the daemon's environment (a local server via OPENAI_BASE_URL needs none)"
                )
            }
            let base = OpenAIModel(model: model, apiKey: providers.openAIAPIKey, baseURL: providers.openAIBaseURL, maxTokens: providers.maxTokens)
            return RetryingModel(base: base, policy: providers.retry, logger: logger, metrics: metrics)
        default:
            throw UnavailableModel(
                identifier: identifier, reason: "unknown provider `\(provider)`; use anthropic:<model>, openai:<model> or scripted:echo"
            )
        }
    }

    /// `anthropic:claude-x` → (`anthropic`, `claude-x`); a bare name is a provider.
    static func split(_ identifier: String) -> (provider: String, model: String) {
        guard let colon = identifier.firstIndex(of: ":") else { return (identifier.lowercased(), "") }
        return (identifier[..<colon].lowercased(), String(identifier[identifier.index(after: colon)...]))
    }

    /// One line for the start-up banner; says when the default model cannot answer yet.
    public var banner: String {
        if defaultIdentifier.hasPrefix("scripted") {
            return "model: \(defaultIdentifier) (built-in scripted model, no network; set AGENT_HOST_MODEL for a real one)"
        }
        do {
            let model = try model(named: nil)
            let (provider, _) = Self.split(defaultIdentifier)
            let url = provider == "anthropic" ? providers.anthropicBaseURL : providers.openAIBaseURL
            return "model: \(model.identifier) via \(url)"
        } catch {
            return "model: \(defaultIdentifier) — WARNING: \(error); turns that use it will fail"
        }
    }
}
