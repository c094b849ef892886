/// A chat message as the AI SDK's `useChat` holds it: an id, a role and typed parts.
/// Parts stay raw JSON so any part type a client sends survives a round trip.
public struct UIMessage: Codable, Sendable, Hashable {
    /// Identifies the message in the conversation (the AI SDK's `UIMessage.id`).
    public var id: String
    /// `user`, `assistant` or `system`.
    public var role: String
    /// The message's parts in order (`text`, `reasoning`, `tool-*`, `data-*`, …),
    /// each the JSON object the client holds.
    public var parts: [JSONValue]
    /// Anything attached to the message: the client's own, and `usage` on the answer.
    public var metadata: JSONValue?

    /// A message.
    ///
    /// - Parameters:
    ///   - id: The message's id.
    ///   - role: Who wrote it.
    ///   - parts: Its parts.
    ///   - metadata: Attached metadata, if any.
    public init(id: String, role: String, parts: [JSONValue], metadata: JSONValue? = nil) {
        self.id = id
        self.role = role
        self.parts = parts
        self.metadata = metadata
    }

    /// A message with a single text part.
    ///
    /// - Parameters:
    ///   - text: The part's text.
    ///   - role: Who wrote it.
    ///   - id: The message's id.
    public static func text(_ text: String, role: String, id: String) -> UIMessage {
        UIMessage(id: id, role: role, parts: [.object(["type": "text", "text": .string(text)])])
    }

    /// The text of every `text` part, joined: what a user reads of the message,
    /// without reasoning, tool calls or data parts.
    public var text: String {
        parts.compactMap { part -> String? in
            guard part["type"]?.stringValue == "text" else { return nil }
            return part["text"]?.stringValue
        }.joined()
    }
}
