import AgentWire
import Foundation
import Hummingbird

/// `/api/v1`: the secret-key routes an operator's server calls. The group's
/// `AuthMiddleware(.secretKey)` has admitted the caller before any handler runs.
struct ManagementRoutes {
    let sessions: SessionDirectory
    let registry: PluginRegistry
    let opener: SessionOpener
    let minter: TokenMinter

    struct CreateSession: Decodable {
        var chatId: String
        var agent: String
        var clientData: JSONValue?
        var metadata: JSONValue?
    }

    struct CreatedSession: Encodable {
        var chatId: String
        var agent: String
        var status: SessionStatus
        var isCached: Bool
        var publicAccessToken: String
        var createdAt: Date
    }

    struct MintToken: Decodable {
        var scopes: TokenScopes
        var expirationTime: String?
    }

    struct MintedToken: Encodable {
        var token: String
        var expiresAt: Date
    }

    struct SessionPage: Encodable {
        var data: [SessionSummary]
        var nextCursor: String?
        /// The session change feed's cursor, taken before the list was read:
        /// `GET /api/v1/session-events?after=` it brings every change since.
        var feedCursor: String
    }

    struct Closed: Encodable {
        var chatId: String
        var status: SessionStatus
    }

    /// - Parameters:
    ///   - group: the `/api/v1` group, behind `AuthMiddleware(.secretKey)`.
    func register(on group: some RouterMethods<HostRequestContext>) {
        group.post("sessions") { request, _ in
            var request = request
            let body = try await request.decodeJSON(CreateSession.self)
            let opened = try await opener.open(
                chatId: body.chatId, agent: body.agent,
                clientData: try body.clientData.map(WireCoding.encodeString),
                metadata: try body.metadata.map(WireCoding.encodeString)
            )
            let row = opened.row
            let reply = CreatedSession(
                chatId: row.chatId, agent: row.agent, status: row.status, isCached: !opened.created,
                publicAccessToken: opened.publicAccessToken, createdAt: row.createdAt
            )
            return try Response.json(reply, status: opened.created ? .created : .ok)
        }

        group.get("sessions") { request, _ in
            let query = request.uri.queryParameters
            let limit = try query.get("limit").map { text -> Int in
                guard let value = Int(text), (1...500).contains(value) else {
                    throw AgentHostError.badRequest("`limit` must be an integer from 1 to 500")
                }
                return value
            } ?? 50
            let after = try query.get("after").map { text -> Int64 in
                guard let value = Int64(text) else { throw AgentHostError.badRequest("`after` is not a cursor from this API") }
                return value
            }
            let status = try query.get("status").map { text -> SessionStatus in
                guard let value = SessionStatus(rawValue: text) else {
                    throw AgentHostError.badRequest("unknown status `\(text)`")
                }
                return value
            }
            let feedCursor = await sessions.changes.cursor
            let rows = try await sessions.list(agent: query.get("agent"), status: status, limit: limit, after: after)
            let next = rows.count == limit ? rows.last?.id.map(String.init) : nil
            return try Response.json(SessionPage(data: try await sessions.summaries(of: rows), nextCursor: next, feedCursor: feedCursor))
        }

        SessionChangeRoute(changes: sessions.changes).register(on: group)

        group.get("sessions/:chatId") { _, context in
            try Response.json(try await sessions.info(try context.parameters.chatId()))
        }

        group.post("sessions/:chatId/close") { _, context in
            let chatId = try context.parameters.chatId()
            try await sessions.close(chatId: chatId)
            return try Response.json(Closed(chatId: chatId, status: .closed))
        }

        group.post("tokens") { request, _ in
            var request = request
            let body = try await request.decodeJSON(MintToken.self)
            guard !body.scopes.isEmpty else { throw AgentHostError.badRequest("`scopes` names no session") }
            let text = body.expirationTime ?? "1h"
            guard let ttl = TokenLifetime.parse(text) else {
                throw AgentHostError.badRequest("`expirationTime` must look like 30s, 15m, 1h or 7d (at most 30d)")
            }
            let token = try await minter.mint(scopes: body.scopes, ttl: ttl)
            return try Response.json(
                MintedToken(token: token, expiresAt: Date().addingTimeInterval(Double(ttl.components.seconds))),
                status: .created
            )
        }

        group.get("agents") { _, _ in
            try Response.json(await registry.snapshot())
        }

        group.post("agents/:agent/rollback") { _, context in
            guard let agent = context.parameters.get("agent") else { throw AgentHostError.badRequest("missing agent") }
            return try Response.json(try await registry.rollback(agent: agent))
        }
    }
}
