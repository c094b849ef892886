import Logging
import PostgresNIO

/// A session's log grew: its records up to `lastSeq` are committed.
public struct LogAppended: Sendable, Hashable {
    public var chatId: String
    public var lastSeq: Int64

    public init(chatId: String, lastSeq: Int64) {
        self.chatId = chatId
        self.lastSeq = lastSeq
    }

    /// `"<seq> <chatId>"`: the seq first, so a chat id may hold any character.
    var payload: String { "\(lastSeq) \(chatId)" }

    init?(payload: String) {
        guard let space = payload.firstIndex(of: " "), let seq = Int64(payload[..<space]) else { return nil }
        self.init(chatId: String(payload[payload.index(after: space)...]), lastSeq: seq)
    }
}

/// A session was closed and its last records are committed: `"closed <chatId>"`
/// on the appends channel, after every append of the session it follows
/// (PostgreSQL delivers notifications in commit order).
public struct SessionClosedNotice: Sendable, Hashable {
    public var chatId: String

    var payload: String { "closed \(chatId)" }

    init(chatId: String) {
        self.chatId = chatId
    }

    init?(payload: String) {
        guard payload.hasPrefix("closed ") else { return nil }
        chatId = String(payload.dropFirst("closed ".count))
    }
}

/// A daemon's session changed (created, status, last message), for the other
/// daemons' change feeds: `"changed <daemon> <change,change> <chatId>"` on the appends channel.
public struct SessionChangedNotice: Sendable, Hashable {
    public var daemon: String
    public var changes: [String]
    public var chatId: String

    var payload: String { "changed \(daemon) \(changes.joined(separator: ",")) \(chatId)" }

    init(daemon: String, changes: [String], chatId: String) {
        self.daemon = daemon
        self.changes = changes
        self.chatId = chatId
    }

    init?(payload: String) {
        let parts = payload.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "changed" else { return nil }
        self.init(daemon: String(parts[1]), changes: parts[2].split(separator: ",").map(String.init), chatId: String(parts[3]))
    }
}

extension PostgresStorage {
    /// Announces a session change to the other daemons' change feeds.
    func notifyChanged(_ notice: SessionChangedNotice) async throws {
        try await client.query("SELECT pg_notify(\(Self.appendsChannel), \(notice.payload))", logger: logger)
    }

    /// Announces that a session was closed and nothing more will be appended to it.
    /// - Parameters:
    ///   - chatId: The closed session.
    func notifyClosed(_ chatId: String) async throws {
        try await client.query(
            "SELECT pg_notify(\(Self.appendsChannel), \(SessionClosedNotice(chatId: chatId).payload))", logger: logger
        )
    }

    /// The channel every daemon on the database hears appends on.
    static let appendsChannel = "agent_host_appends"

    /// Announces, inside the append's transaction, the last seq it writes per
    /// session. PostgreSQL delivers a NOTIFY only when its transaction commits,
    /// and not at all when it rolls back: a listener never hears of a record it
    /// cannot read yet, nor of one that was refused.
    /// - Parameters:
    ///   - records: The group being committed.
    ///   - connection: The transaction's connection.
    ///   - logger: For the query.
    static func notifyAppends(_ records: [LogRecord], on connection: PostgresConnection, logger: Logger) async throws {
        var last: [String: Int64] = [:]
        for record in records { last[record.chatId] = max(last[record.chatId] ?? 0, record.seq) }
        guard !last.isEmpty else { return }
        let payloads = last.map { LogAppended(chatId: $0.key, lastSeq: $0.value).payload }
        // One round trip for the whole group, whatever the number of sessions in it.
        try await connection.query(
            "SELECT pg_notify(\(appendsChannel), payload) FROM unnest(\(payloads)::text[]) AS payload", logger: logger
        )
    }

    /// Runs `body` with the appends committed by any daemon on this database,
    /// from the moment `body` starts (LISTEN is active by then) until it returns.
    /// Holds one pooled connection meanwhile. The push only says what to read:
    /// a follower reads the records themselves with `records(chatId:after:upTo:)`.
    /// - Parameters:
    ///   - body: Consumes the appends; unknown payloads are skipped.
    public func withAppends<Result: Sendable>(
        _ body: (AsyncCompactMapSequence<PostgresNotificationSequence, LogAppended>) async throws -> Result
    ) async throws -> Result {
        try await withConnection { connection in
            try await connection.listen(on: Self.appendsChannel) { notifications in
                try await body(notifications.compactMap { LogAppended(payload: $0.payload) })
            }
        }
    }
}
