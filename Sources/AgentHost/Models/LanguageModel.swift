/// A model that streams one step at a time.
public protocol LanguageModel: Sendable {
    /// A label for logs and the start-up banner, e.g. `scripted:echo`.
    var identifier: String { get }
    /// Whether `ModelRequest.assistantPrefix` makes the model continue that text
    /// (Anthropic prefill, the scripted model) instead of answering from scratch.
    var supportsAssistantPrefill: Bool { get }
    /// Streams the model's answer for one step.
    /// - Parameters:
    ///   - request: the conversation so far, the tools on offer, and any text to continue.
    func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error>
}

extension LanguageModel {
    /// Most providers cannot continue a partial answer; those that can say so.
    public var supportsAssistantPrefill: Bool { false }
}
