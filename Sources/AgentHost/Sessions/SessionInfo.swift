import Foundation

/// A session as `GET /api/v1/sessions/{chatId}` shows it.
public struct SessionInfo: Codable, Sendable {
    public var chatId: String
    public var agent: String
    public var status: SessionStatus
    /// The generation serving the running turn, if one runs.
    public var generation: Int?
    public var lastSeq: Int64
    public var queuedInputs: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var clientData: String?
    public var metadata: String?
    /// For a sub-agent's session: the session whose turn called it.
    public var parentChatId: String?
    /// For a sub-agent's session: the parent's tool call it answers.
    public var toolCallId: String?
    /// The sub-agent sessions this session's turns called, oldest first.
    public var children: [Child] = []

    /// A sub-agent session, as its parent's info lists it.
    public struct Child: Codable, Sendable, Equatable {
        public var chatId: String
        public var agent: String
        public var status: SessionStatus
        /// The parent's tool call the child answers.
        public var toolCallId: String?
    }
}
