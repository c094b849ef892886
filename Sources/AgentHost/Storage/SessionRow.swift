import Foundation

/// One row of the `session` table: who the chat talks to and where it stands.
public struct SessionRow: Codable, Sendable, Hashable {
    /// Insertion order; the cursor for paged listing.
    public var id: Int64?
    public var chatId: String
    public var agent: String
    public var status: SessionStatus
    /// JSON text as the creator sent it, or nil.
    public var clientData: String?
    public var metadata: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// For a sub-agent's session: the session whose turn called it, or nil.
    public var parentChatId: String?
    /// For a sub-agent's session: the parent's tool call it answers (nil for a
    /// call made from the parent's `run`).
    public var toolCallId: String?

    public init(chatId: String, agent: String, status: SessionStatus = .idle, clientData: String? = nil,
                metadata: String? = nil, createdAt: Date = Date(), updatedAt: Date = Date(),
                parentChatId: String? = nil, toolCallId: String? = nil) {
        self.parentChatId = parentChatId
        self.toolCallId = toolCallId
        self.chatId = chatId
        self.agent = agent
        self.status = status
        self.clientData = clientData
        self.metadata = metadata
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
