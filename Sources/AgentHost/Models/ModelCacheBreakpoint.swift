import AgentWire

/// A prompt cache breakpoint in a model request (`PromptPart.cacheControl`,
/// `PromptMessage.cacheControl`, set by `prepareMessages`): Anthropic gets
/// `cache_control: {"type": "ephemeral"}` on the content block it names;
/// OpenAI, which caches prefixes on its own, ignores it.
public struct ModelCacheBreakpoint: Sendable, Hashable {
    /// Which block of the message.
    public enum Block: Sendable, Hashable {
        /// The user message's part at this index (`ModelMessage.user`'s parts).
        case userPart(Int)
        /// The assistant message's text.
        case text
        /// The assistant message's call with this id.
        case toolCall(String)
        /// The message's last block, whatever it is.
        case last
    }

    /// The index of the message in `ModelRequest.messages`.
    public var message: Int
    public var block: Block

    public init(message: Int, block: Block) {
        self.message = message
        self.block = block
    }
}
