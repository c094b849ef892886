/// A chat message as the AI SDK's `useChat` holds it: an id, a role and typed parts.
/// Parts stay raw JSON so any part type a client sends survives a round trip.
public struct UIMessage: Codable, Sendable, Hashable {
    public var id: String
    public var role: String
    public var parts: [JSONValue]
    public var metadata: JSONValue?

    public init(id: String, role: String, parts: [JSONValue], metadata: JSONValue? = nil) {
        self.id = id
        self.role = role
        self.parts = parts
        self.metadata = metadata
    }

    /// A message with a single text part.
    public static func text(_ text: String, role: String, id: String) -> UIMessage {
        UIMessage(id: id, role: role, parts: [.object(["type": "text", "text": .string(text)])])
    }

    /// The text of every `text` part, joined.
    public var text: String {
        parts.compactMap { part -> String? in
            guard part["type"]?.stringValue == "text" else { return nil }
            return part["text"]?.stringValue
        }.joined()
    }
}
