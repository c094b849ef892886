import AgentWire
import Foundation

/// A session as `POST /api/v1/sessions` answers: created now, or already there.
public struct CreatedSession: Sendable, Hashable, Decodable {
    /// The session's id.
    public var chatId: String
    /// The agent it talks to.
    public var agent: String
    /// `idle`, `running`, `awaiting-input` or `closed`.
    public var status: String
    /// True when the session existed before this call.
    public var isCached: Bool
    /// A token scoped to read and write this one session.
    public var publicAccessToken: String
}

extension AgentHostClient {
    /// Creates the session, or gets it when it exists (secret key). Returns its
    /// public token; `isCached` says which happened.
    /// - Parameters:
    ///   - chatId: The session's id.
    ///   - agent: The agent it talks to.
    ///   - clientData: JSON the agent receives with every turn, if any.
    ///   - metadata: JSON kept with the session, if any.
    public func createSession(
        _ chatId: String, agent: String, clientData: JSONValue? = nil, metadata: JSONValue? = nil
    ) async throws -> CreatedSession {
        var body: [String: JSONValue] = ["chatId": .string(chatId), "agent": .string(agent)]
        if let clientData { body["clientData"] = clientData }
        if let metadata { body["metadata"] = metadata }
        let reply = try await call(.POST, "/api/v1/sessions", body: JSONValue.object(body).jsonText)
        do {
            return try WireCoding.decode(CreatedSession.self, from: reply.body)
        } catch {
            throw AgentHostClientError.malformed("session", in: reply)
        }
    }

    /// `GET /api/v1/sessions/<chatId>` (secret key): status, agent, last seq, ….
    /// - Parameters:
    ///   - chatId: The session's id.
    public func sessionInfo(_ chatId: String) async throws -> DaemonReply {
        try await call(.GET, "/api/v1/sessions/\(Self.segment(chatId))")
    }

    /// One page of `GET /api/v1/sessions` (secret key).
    /// - Parameters:
    ///   - agent: Only sessions of this agent.
    ///   - limit: Sessions per page, 1 to 500.
    ///   - after: The `nextCursor` of the previous page.
    public func listSessions(agent: String? = nil, limit: Int = 50, after: String? = nil) async throws -> DaemonReply {
        var path = "/api/v1/sessions?limit=\(limit)"
        if let agent { path += "&agent=\(agent.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? agent)" }
        if let after { path += "&after=\(after)" }
        return try await call(.GET, path)
    }

    /// The session's history as the UI shows it (`GET …/messages`).
    /// - Parameters:
    ///   - chatId: The session's id.
    public func history(_ chatId: String) async throws -> [UIMessage] {
        let reply = try await call(.GET, Self.sessionPath(chatId, "messages"))
        guard let messages = reply.json?["messages"], let decoded = try? WireCoding.decode([UIMessage].self, from: WireCoding.encode(messages))
        else { throw AgentHostClientError.malformed("messages", in: reply) }
        return decoded
    }

    /// The input seq of the turn running (or queued next), if any (`GET …/turn`).
    /// - Parameters:
    ///   - chatId: The session's id.
    public func activeTurn(_ chatId: String) async throws -> Int64? {
        try await call(.GET, Self.sessionPath(chatId, "turn")).json?["inSeq"]?.doubleValue.map { Int64($0) }
    }
}
