/// Which model a `streamText` call uses. The daemon owns the providers and keys;
/// the agent only names the model.
public struct Model: Sendable, Hashable {
    /// `provider:model`, or `default` for the daemon's configured model.
    public let identifier: String

    public init(_ identifier: String) {
        self.identifier = identifier
    }

    /// The daemon's `AGENT_HOST_MODEL` (the offline scripted model when unset).
    public static let `default` = Model("default")
    public static func anthropic(_ model: String) -> Model { Model("anthropic:\(model)") }
    public static func openai(_ model: String) -> Model { Model("openai:\(model)") }
    public static func scripted(_ script: String = "echo") -> Model { Model("scripted:\(script)") }
}

/// When the step loop stops asking the model for another step.
public struct StopCondition: Sendable, Hashable {
    let maxSteps: Int

    /// Stop after `count` model requests (the AI SDK's `stepCountIs`).
    public static func stepCount(_ count: Int) -> StopCondition {
        precondition(count > 0, "a turn needs at least one step")
        return StopCondition(maxSteps: count)
    }
}
