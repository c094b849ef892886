import AgentWire

/// What a provider streams for one step, already normalised across providers.
public enum ModelEvent: Sendable, Hashable {
    case textDelta(String)
    case reasoningDelta(String)
    /// The current reasoning block is complete. Anthropic signs thinking blocks;
    /// the signature must travel back with the block in the next step of a tool loop.
    case reasoningEnd(signature: String?)
    /// A reasoning block the provider only returns encrypted (Anthropic `redacted_thinking`).
    case reasoningRedacted(data: String)
    /// A streamed tool call begins; its arguments follow as `toolInputDelta`s.
    case toolInputStart(id: String, name: String)
    /// A fragment of a streamed tool call's JSON arguments.
    case toolInputDelta(id: String, delta: String)
    /// A complete tool call; `input` is the parsed JSON arguments. Providers that
    /// stream arguments send it after the call's `toolInputStart`/`toolInputDelta`s.
    case toolCall(id: String, name: String, input: JSONValue)
    /// Tokens this step used, sent once before `finish` when the provider reports them.
    case usage(ModelUsage)
    case finish(FinishReason)
}
