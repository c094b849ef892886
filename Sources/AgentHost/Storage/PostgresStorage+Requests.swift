import Foundation
import Logging
import PostgresNIO

/// A write waiting in `session_requests` for the session's owner.
struct PendingClusterRequest: Sendable, Hashable {
    let id: Int64
    let chatId: String
    /// The `ClusterRequest`, as JSON.
    let body: String
}

/// What a daemon hears on `PostgresStorage.requestsChannel`.
enum ClusterRequestNotice: Sendable, Hashable {
    /// A request for the session's owner: `q <id> <chatId>`.
    case asked(id: Int64, chatId: String)
    /// The owner answered request `id`: `r <id>`.
    case answered(id: Int64)

    var payload: String {
        switch self {
        case .asked(let id, let chatId): "q \(id) \(chatId)"
        case .answered(let id): "r \(id)"
        }
    }

    init?(payload: String) {
        let parts = payload.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, let id = Int64(parts[1]) else { return nil }
        switch parts[0] {
        case "q" where parts.count == 3: self = .asked(id: id, chatId: String(parts[2]))
        case "r": self = .answered(id: id)
        default: return nil
        }
    }
}

extension PostgresStorage {
    /// The channel relayed writes and their answers are announced on.
    static let requestsChannel = "agent_host_requests"

    /// Stores a request for the session's owner and announces it, in one
    /// transaction: the owner hears of it only once it can read it.
    /// - Parameters:
    ///   - chatId: The session.
    ///   - body: The `ClusterRequest`, as JSON.
    /// - Returns: The request's id, which its answer is announced with.
    func insertRequest(chatId: String, body: String) async throws -> Int64 {
        let logger = logger
        return try await client.withTransaction(logger: logger) { connection in
            var id: Int64?
            for try await value in try await connection.query(
                "INSERT INTO session_requests (chat_id, body) VALUES (\(chatId), \(body)) RETURNING id", logger: logger
            ).decode(Int64.self) {
                id = value
            }
            guard let id else { throw PostgresStorageError.unreadable("a request for \(chatId) got no id") }
            try await connection.query(
                "SELECT pg_notify(\(Self.requestsChannel), \(ClusterRequestNotice.asked(id: id, chatId: chatId).payload))", logger: logger
            )
            return id
        }
    }

    /// The session's unanswered requests, oldest first.
    func pendingRequests(chatId: String) async throws -> [PendingClusterRequest] {
        var pending: [PendingClusterRequest] = []
        let rows = try await client.query(
            "SELECT id, body FROM session_requests WHERE chat_id = \(chatId) AND reply IS NULL ORDER BY id", logger: logger
        ).decode((Int64, String).self)
        for try await (id, body) in rows { pending.append(PendingClusterRequest(id: id, chatId: chatId, body: body)) }
        return pending
    }

    /// Records the owner's answer and announces it. A request answered before keeps its first answer.
    /// - Parameters:
    ///   - id: The request.
    ///   - reply: The `ClusterReply`, as JSON.
    func answerRequest(id: Int64, reply: String) async throws {
        let logger = logger
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                "UPDATE session_requests SET reply = \(reply), answered_at = now() WHERE id = \(id) AND reply IS NULL", logger: logger
            )
            try await connection.query(
                "SELECT pg_notify(\(Self.requestsChannel), \(ClusterRequestNotice.answered(id: id).payload))", logger: logger
            )
        }
    }

    /// The owner's answer to a request, or nil while there is none.
    func requestReply(id: Int64) async throws -> String? {
        var reply: String?
        for try await value in try await client.query("SELECT reply FROM session_requests WHERE id = \(id)", logger: logger)
            .decode(String?.self) {
            reply = value
        }
        return reply
    }

    /// Sessions that need a daemon to take them: running (a turn or queued
    /// inputs) while no daemon holds their ownership lock — their owner died —
    /// and sessions with unanswered requests. Answered requests older than ten
    /// minutes are deleted on the way.
    func sessionsNeedingAnOwner() async throws -> [String] {
        try await client.query("DELETE FROM session_requests WHERE answered_at < now() - interval '10 minutes'", logger: logger)
        // pg_locks shows a 64-bit advisory key as its high and low 32 bits
        // (classid, objid), with objsubid 1; locks are per database.
        let rows = try await client.query(
            """
            SELECT s.chat_id FROM sessions s
            WHERE s.status = 'running' AND NOT EXISTS (
                SELECT 1 FROM pg_locks l
                WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
                  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND l.classid::bigint = ((hashtextextended(s.chat_id, 0) >> 32) & 4294967295)
                  AND l.objid::bigint = (hashtextextended(s.chat_id, 0) & 4294967295)
            )
            UNION
            SELECT DISTINCT chat_id FROM session_requests WHERE reply IS NULL
            """,
            logger: logger
        ).decode(String.self)
        var chats: [String] = []
        for try await chatId in rows { chats.append(chatId) }
        return chats
    }
}
