/// Which model a `streamText` call uses. The daemon owns the providers and keys;
/// the agent only names the model, so one build runs against any provider the
/// daemon is configured for, and no key ever sits in a plugin.
public struct Model: Sendable, Hashable {
    /// `provider:model`, or `default` for the daemon's configured model.
    public let identifier: String

    /// Names a model by its full identifier, for providers without a helper below.
    ///
    /// - Parameters:
    ///   - identifier: `provider:model` (e.g. `anthropic:claude-sonnet-4-5`), or `default`.
    public init(_ identifier: String) {
        self.identifier = identifier
    }

    /// The daemon's `AGENT_HOST_MODEL` (the offline scripted model when unset):
    /// lets whoever runs the daemon choose the model without rebuilding the agent.
    public static let `default` = Model("default")

    /// A model of Anthropic's Messages API; the daemon needs `ANTHROPIC_API_KEY`.
    ///
    /// - Parameters:
    ///   - model: Anthropic's model name, e.g. `claude-sonnet-4-5`.
    public static func anthropic(_ model: String) -> Model { Model("anthropic:\(model)") }

    /// A model of an OpenAI-compatible Chat Completions API: OpenAI itself with
    /// `OPENAI_API_KEY`, or a local server (Ollama, vLLM, …) at `OPENAI_BASE_URL`.
    ///
    /// - Parameters:
    ///   - model: The server's model name, e.g. `gpt-4o`.
    public static func openai(_ model: String) -> Model { Model("openai:\(model)") }

    /// The daemon's deterministic offline model, for tests and demos that must not
    /// touch the network: it echoes the last user message, and `/tool NAME {json}`
    /// makes it call a tool.
    ///
    /// - Parameters:
    ///   - script: Recorded in the identifier; the daemon has one script, `echo`.
    public static func scripted(_ script: String = "echo") -> Model { Model("scripted:\(script)") }
}

/// When the step loop stops asking the model for another step.
public struct StopCondition: Sendable, Hashable {
    let maxSteps: Int

    /// Stop after `count` model requests (the AI SDK's `stepCountIs`). A step that
    /// calls tools needs another step to answer with their results, so an agent
    /// with tools wants more than one.
    ///
    /// - Parameters:
    ///   - count: The most model requests one `streamText` call makes; at least 1.
    public static func stepCount(_ count: Int) -> StopCondition {
        precondition(count > 0, "a turn needs at least one step")
        return StopCondition(maxSteps: count)
    }
}
