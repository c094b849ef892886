import Foundation

/// One session as the session list (`GET /api/v1/sessions`) and the session
/// change feed (`GET /api/v1/session-events`) show it: the session's row —
/// its fields at the top level, as the list always had them — and its latest
/// message. A feed event carries exactly this, so a client upserts it by `chatId`.
public struct SessionSummary: Codable, Sendable, Hashable {
    public var row: SessionRow
    /// The latest user message or assistant text, if the end of the log holds one.
    public var lastMessage: MessagePreview?

    /// - Parameters:
    ///   - row: The session's row.
    ///   - lastMessage: Its latest message.
    public init(row: SessionRow, lastMessage: MessagePreview?) {
        self.row = row
        self.lastMessage = lastMessage
    }

    private enum CodingKeys: String, CodingKey {
        case lastMessage
    }

    public init(from decoder: any Decoder) throws {
        row = try SessionRow(from: decoder)
        lastMessage = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(MessagePreview.self, forKey: .lastMessage)
    }

    public func encode(to encoder: any Encoder) throws {
        // The row's fields and `lastMessage` share one object.
        try row.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(lastMessage, forKey: .lastMessage)
    }

    /// The summary of `row` now: its latest message read from the log.
    /// - Parameters:
    ///   - row: The session's row.
    ///   - storage: Where its log is.
    static func load(_ row: SessionRow, storage: any SessionStorage) async throws -> SessionSummary {
        SessionSummary(row: row, lastMessage: try await MessagePreview.latest(chatId: row.chatId, storage: storage))
    }
}
