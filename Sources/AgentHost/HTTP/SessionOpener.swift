import Foundation

/// Creates-or-gets a session and mints the token its browser uses: read and
/// write scope on that one session, valid for an hour. The one path behind
/// `POST /api/v1/sessions` and `POST /playground/v1/sessions`, and the token
/// of `POST /playground/v1/tokens`.
struct SessionOpener: Sendable {
    let sessions: SessionDirectory
    let minter: TokenMinter
    static let tokenLifetime: Duration = .seconds(3600)

    /// A session as opened: its row, whether this call created it, and its token.
    struct Opened: Sendable {
        var row: SessionRow
        var created: Bool
        var publicAccessToken: String
    }

    /// Create-or-get on `chatId` (see `SessionDirectory.create`), then a token for it.
    /// - Parameters:
    ///   - chatId: the session's id.
    ///   - agent: the agent it talks to; an existing session must already belong to it.
    ///   - clientData: JSON text as the creator sent it, or nil.
    ///   - metadata: JSON text as the creator sent it, or nil.
    func open(chatId: String, agent: String, clientData: String? = nil, metadata: String? = nil) async throws -> Opened {
        let (row, created) = try await sessions.create(chatId: chatId, agent: agent, clientData: clientData, metadata: metadata)
        return Opened(row: row, created: created, publicAccessToken: try await token(for: row.chatId))
    }

    /// A read-and-write token for one session, valid for `tokenLifetime`.
    /// - Parameters:
    ///   - chatId: the session the token opens.
    func token(for chatId: String) async throws -> String {
        try await minter.mint(scopes: TokenScopes(read: [chatId], write: [chatId]), ttl: Self.tokenLifetime)
    }
}
