import AgentWire
import Foundation
import Hummingbird

/// `/playground/v1`: what the playground page needs to work with no set-up —
/// agents, sessions, and session-scoped tokens — for browsers on the daemon's
/// own machine only, or for anyone with the secret key: the group's
/// `PlaygroundAccess` middleware has admitted the caller before any handler runs.
///
/// The page never holds the secret key unless its user pastes it in: on
/// loopback it gets public tokens, exactly like a browser served by the
/// operator's own backend.
struct PlaygroundAccessRoutes {
    let sessions: SessionDirectory
    let registry: PluginRegistry
    let opener: SessionOpener
    /// The session list shows this many, most recently active first.
    static let listedSessions = 100

    struct OpenSession: Decodable {
        var agent: String
        var chatId: String?
    }

    struct OpenedSession: Encodable {
        var chatId: String
        var agent: String
        var status: SessionStatus
        var isCached: Bool
        var publicAccessToken: String
    }

    struct TokenRequest: Decodable {
        var chatId: String
    }

    struct IssuedToken: Encodable {
        var chatId: String
        var publicAccessToken: String
        var expiresAt: Date
    }

    struct AgentList: Encodable {
        struct Agent: Encodable {
            var id: String
            var version: String?
            var generation: Int?
        }

        var agents: [Agent]
    }

    struct SessionList: Encodable {
        var data: [SessionSummary]
        /// The session change feed's cursor, taken before the list was read (`ManagementRoutes.SessionPage`).
        var feedCursor: String
    }

    /// - Parameters:
    ///   - group: the `/playground/v1` group, behind `PlaygroundAccess`.
    func register(on group: some RouterMethods<HostRequestContext>) {
        group.get("agents") { _, _ in
            let snapshot = await registry.snapshot()
            let agents = snapshot.agents.compactMap { agent -> AgentList.Agent? in
                guard let active = agent.activeGeneration else { return nil }
                let version = agent.generations.first { $0.id == active }?.version
                return AgentList.Agent(id: agent.id, version: version, generation: active)
            }
            return try Response.json(AgentList(agents: agents))
        }

        group.get("sessions") { _, _ in
            let feedCursor = await sessions.changes.cursor
            return try Response.json(SessionList(data: try await sessions.summaries(of: recentSessions()), feedCursor: feedCursor))
        }

        SessionChangeRoute(changes: sessions.changes).register(on: group)

        group.post("sessions") { request, _ in
            var request = request
            let body = try await request.decodeJSON(OpenSession.self)
            let opened = try await opener.open(chatId: body.chatId ?? Self.newChatId(), agent: body.agent)
            let row = opened.row
            let reply = OpenedSession(
                chatId: row.chatId, agent: row.agent, status: row.status, isCached: !opened.created,
                publicAccessToken: opened.publicAccessToken
            )
            return try Response.json(reply, status: opened.created ? .created : .ok)
        }

        group.post("tokens") { request, _ in
            var request = request
            let body = try await request.decodeJSON(TokenRequest.self)
            // Only for sessions that exist: a token for a chat id nobody created is of no use.
            _ = try await sessions.info(body.chatId)
            let token = try await opener.token(for: body.chatId)
            let expiresAt = Date().addingTimeInterval(Double(SessionOpener.tokenLifetime.components.seconds))
            return try Response.json(IssuedToken(chatId: body.chatId, publicAccessToken: token, expiresAt: expiresAt), status: .created)
        }
    }

    /// The most recently active sessions. Storage pages in creation order, so
    /// this walks every page; fine for the playground of one daemon.
    private func recentSessions() async throws -> [SessionRow] {
        var rows: [SessionRow] = []
        var cursor: Int64?
        while true {
            let page = try await sessions.list(agent: nil, status: nil, limit: 500, after: cursor)
            rows.append(contentsOf: page)
            guard page.count == 500, let last = page.last?.id else { break }
            cursor = last
        }
        return Array(rows.sorted { $0.updatedAt > $1.updatedAt }.prefix(Self.listedSessions))
    }

    /// `pg-` and 12 random hex digits: short enough to read in the session list.
    private static func newChatId() -> String {
        "pg-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
    }
}
