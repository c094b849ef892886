import AgentWire
import Foundation
import Hummingbird

/// `/playground/v1`: what the playground page needs to work with no set-up —
/// agents, sessions, and session-scoped tokens — for browsers on the daemon's
/// own machine only (see `PlaygroundAccess`), or for anyone with the secret key.
///
/// The page never holds the secret key unless its user pastes it in: on
/// loopback it gets public tokens, exactly like a browser served by the
/// operator's own backend.
struct PlaygroundAccessRoutes {
    let sessions: SessionDirectory
    let registry: PluginRegistry
    let minter: TokenMinter
    let access: PlaygroundAccess
    static let tokenLifetime: Duration = .seconds(3600)
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
        var data: [SessionRow]
    }

    func register(on router: Router<HostRequestContext>) {
        router.get("/playground/v1/agents") { request, context in
            try await access.require(request, peer: context.remoteAddress)
            let snapshot = await registry.snapshot()
            let agents = snapshot.agents.compactMap { agent -> AgentList.Agent? in
                guard let active = agent.activeGeneration else { return nil }
                let version = agent.generations.first { $0.id == active }?.version
                return AgentList.Agent(id: agent.id, version: version, generation: active)
            }
            return try Response.json(AgentList(agents: agents))
        }

        router.get("/playground/v1/sessions") { request, context in
            try await access.require(request, peer: context.remoteAddress)
            return try Response.json(SessionList(data: try await recentSessions()))
        }

        router.post("/playground/v1/sessions") { request, context in
            try await access.require(request, peer: context.remoteAddress)
            var request = request
            let body = try await request.decodeJSON(OpenSession.self)
            let chatId = body.chatId ?? Self.newChatId()
            let (row, created) = try await sessions.create(chatId: chatId, agent: body.agent, clientData: nil, metadata: nil)
            let token = try await minter.mint(scopes: Self.scopes(chatId: row.chatId), ttl: Self.tokenLifetime)
            let reply = OpenedSession(
                chatId: row.chatId, agent: row.agent, status: row.status, isCached: !created, publicAccessToken: token
            )
            return try Response.json(reply, status: created ? .created : .ok)
        }

        router.post("/playground/v1/tokens") { request, context in
            try await access.require(request, peer: context.remoteAddress)
            var request = request
            let body = try await request.decodeJSON(TokenRequest.self)
            // Only for sessions that exist: a token for a chat id nobody created is of no use.
            _ = try await sessions.info(body.chatId)
            let token = try await minter.mint(scopes: Self.scopes(chatId: body.chatId), ttl: Self.tokenLifetime)
            let expiresAt = Date().addingTimeInterval(Double(Self.tokenLifetime.components.seconds))
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

    private static func scopes(chatId: String) -> TokenScopes {
        TokenScopes(read: [chatId], write: [chatId])
    }

    /// `pg-` and 12 random hex digits: short enough to read in the session list.
    private static func newChatId() -> String {
        "pg-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
    }
}
