import AgentWire

/// A provider-neutral chat message.
public enum ModelMessage: Sendable, Hashable {
    /// What the user sent: text and attached files, in the order the message holds them.
    case user(parts: [ModelContentPart])
    /// `reasoning` is the step's thinking, kept so a tool loop can hand signed
    /// thinking blocks back to Anthropic; it is not rebuilt from UI history.
    case assistant(text: String, toolCalls: [ModelToolCall], reasoning: [ModelReasoning] = [])
    case toolResult(callId: String, name: String, output: JSONValue, isError: Bool)
}

extension ModelMessage {
    /// A user message that is only text.
    ///
    /// - Parameters:
    ///   - text: What the user wrote.
    public static func user(_ text: String) -> ModelMessage {
        .user(parts: [.text(text)])
    }
}

/// A tool call the model made in an assistant step, with its parsed JSON arguments.
public struct ModelToolCall: Sendable, Hashable {
    public var id: String
    public var name: String
    public var input: JSONValue

    public init(id: String, name: String, input: JSONValue) {
        self.id = id
        self.name = name
        self.input = input
    }
}

/// One reasoning block of an assistant step.
public struct ModelReasoning: Sendable, Hashable {
    public var text: String
    /// Anthropic's integrity signature; unsigned reasoning is never sent back to Anthropic.
    public var signature: String?
    /// Set for a redacted block: the encrypted payload to hand back verbatim.
    public var redactedData: String?

    public init(text: String, signature: String? = nil, redactedData: String? = nil) {
        self.text = text
        self.signature = signature
        self.redactedData = redactedData
    }
}
