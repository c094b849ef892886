/// What a public token may do: read and/or write named sessions.
///
/// Wire shape, as the seed's `auth.createPublicToken`:
/// `{"read": {"sessions": "chat-1"}, "write": {"sessions": ["chat-1", "chat-2"]}}`.
public struct TokenScopes: Codable, Sendable, Hashable {
    public var read: SessionScope?
    public var write: SessionScope?

    public init(read: [String] = [], write: [String] = []) {
        self.read = read.isEmpty ? nil : SessionScope(sessions: read)
        self.write = write.isEmpty ? nil : SessionScope(sessions: write)
    }

    public func allows(_ access: Access, chatId: String) -> Bool {
        switch access {
        case .read: read?.sessions.contains(chatId) ?? false
        case .write: write?.sessions.contains(chatId) ?? false
        }
    }

    public enum Access: String, Sendable {
        case read
        case write
    }

    public var isEmpty: Bool {
        (read?.sessions.isEmpty ?? true) && (write?.sessions.isEmpty ?? true)
    }
}

public struct SessionScope: Codable, Sendable, Hashable {
    public var sessions: [String]

    public init(sessions: [String]) {
        self.sessions = sessions
    }

    enum CodingKeys: String, CodingKey { case sessions }

    /// Accepts one id or a list of ids.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let one = try? container.decode(String.self, forKey: .sessions) {
            sessions = [one]
        } else {
            sessions = try container.decode([String].self, forKey: .sessions)
        }
    }
}
