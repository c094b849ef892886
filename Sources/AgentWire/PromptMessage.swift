/// One message of the model context as an agent's `prepareMessages` sees it
/// (README, "Injected context, deferred work and prepareMessages"): the
/// conversation the host is about to send the model, provider-neutral, after
/// compaction, steering and injected context. An agent returns the messages
/// to send instead; the session's stored history never changes.
public struct PromptMessage: Codable, Sendable, Hashable {
    /// Who speaks.
    public enum Role: String, Codable, Sendable, Hashable {
        /// The user: text and files. Injected context and compaction summaries are user messages too.
        case user
        /// The model: reasoning, text and tool calls of one step.
        case assistant
        /// Tool results, each answering a call of the assistant message before it.
        case tool
    }

    public var role: Role
    public var parts: [PromptPart]
    /// A prompt cache breakpoint after this message: Anthropic gets
    /// `cache_control` on the message's last content block (OpenAI ignores it).
    public var cacheControl: CacheControl?

    /// A message.
    ///
    /// - Parameters:
    ///   - role: Who speaks.
    ///   - parts: What it says, in order.
    ///   - cacheControl: A cache breakpoint after the message; nil: none.
    public init(role: Role, parts: [PromptPart], cacheControl: CacheControl? = nil) {
        self.role = role
        self.parts = parts
        self.cacheControl = cacheControl
    }

    /// A message's text parts, joined: what a text-only message says.
    public var text: String {
        parts.compactMap { $0.type == .text ? $0.text : nil }.joined()
    }
}

/// One part of a `PromptMessage`: one flat shape with the members its `type`
/// uses, so a C plugin reads the ones it needs.
public struct PromptPart: Codable, Sendable, Hashable {
    /// What the part is.
    public enum Kind: String, Codable, Sendable, Hashable {
        /// `text`.
        case text
        /// `mediaType`, `filename`, and `url` or `fileRef`.
        case file
        /// `text`, `signature` or `redactedData` (an assistant's thinking).
        case reasoning
        /// `toolCallId`, `toolName`, `input`.
        case toolCall = "tool-call"
        /// `toolCallId`, `toolName`, `output`, `isError`.
        case toolResult = "tool-result"
    }

    public var type: Kind
    public var text: String?
    public var mediaType: String?
    public var filename: String?
    /// Where a file is: an http(s) URL, or a file uploaded to the session.
    public var url: String?
    /// A file whose bytes the host holds (they do not cross the boundary):
    /// keep the part as it is to send the file, drop it to leave the file out.
    public var fileRef: Int?
    public var toolCallId: String?
    public var toolName: String?
    public var input: JSONValue?
    public var output: JSONValue?
    public var isError: Bool?
    public var signature: String?
    public var redactedData: String?
    /// A prompt cache breakpoint at this part: Anthropic gets `cache_control`
    /// on the content block the part becomes (a reasoning part's: the
    /// message's last block, as thinking blocks take none); OpenAI ignores it.
    public var cacheControl: CacheControl?

    /// A part of the given kind with no members set; the caller sets the ones it uses.
    ///
    /// - Parameters:
    ///   - type: What the part is.
    public init(type: Kind) {
        self.type = type
    }

    /// A text part.
    ///
    /// - Parameters:
    ///   - text: Its text.
    public static func text(_ text: String) -> PromptPart {
        var part = PromptPart(type: .text)
        part.text = text
        return part
    }
}

/// plugin → host, the result of a `prepareMessages` hook call.
public struct PreparedMessages: Codable, Sendable, Hashable {
    /// The messages to send the model in place of the ones the event carried.
    public var messages: [PromptMessage]

    /// A result.
    ///
    /// - Parameters:
    ///   - messages: What the model gets.
    public init(messages: [PromptMessage]) {
        self.messages = messages
    }
}

/// A prompt cache breakpoint (Anthropic's `cache_control`): the provider may
/// cache the request's prefix through the marked block, so later requests that
/// start the same way read it cheaply. Set by `prepareMessages`.
public enum CacheControl: String, Codable, Sendable, Hashable {
    /// `{"type": "ephemeral"}`: the provider's short-lived cache.
    case ephemeral
}

/// Which model request a `prepareMessages` call prepares (`HookEvent.promptReason`).
public enum PromptReason: String, Codable, Sendable, Hashable {
    /// An ordinary step of a turn.
    case run
    /// A step after a compaction between steps of the same turn: its
    /// context was rebuilt as the summary, then the running answer so far.
    /// (Later turns start from the summary too; their requests are `run`.)
    case compactionRebuild = "compaction-rebuild"
    /// The request that asks the model for a compaction's summary (the default
    /// summariser): the conversation being compacted, then the summary prompt.
    case compactionResult = "compaction-result"
}
