import Foundation
import Logging
import PostgresNIO

/// The shared store: sessions, logs and snapshots in one PostgreSQL database
/// (`serve --database postgres://…`), the same rows SQLite keeps.
///
/// The same rules as SQLite's: `append` commits a group's records and status
/// changes in one transaction and returns only once it committed, so a client
/// never sees a record the database could lose; `(chat_id, seq)` is the primary
/// key, so a seq taken twice is refused, and an idempotency key is unique per
/// session.
public final class PostgresStorage: SessionStorage {
    let client: PostgresClient
    /// Runs the pool: a `PostgresClient` serves queries only while `run()` runs.
    private let runner: Task<Void, Never>
    /// For queries; extensions in other files (relayed requests, the build catalog) log through it too.
    let logger: Logger

    /// Rows per insert statement: PostgreSQL takes at most 65535 parameters a
    /// statement, a record binds 6; a larger group is several statements in the
    /// same transaction.
    static let rowsPerInsert = 1000

    /// Connects, migrates the schema (see `migrate(on:logger:)`), and starts the pool.
    /// - Parameters:
    ///   - url: The database.
    ///   - logger: For migrations and the pool's background events.
    /// - Throws: The server's error when it cannot be reached or refuses the
    ///   login; `PostgresStorageError.schemaTooNew` when a newer daemon migrated it.
    public static func connect(url: PostgresDatabaseURL, logger: Logger) async throws -> PostgresStorage {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: try url.connectionConfiguration(), id: 0, logger: logger)
        } catch {
            throw PostgresStorageError.cannotConnect(url.redacted, reason: PostgresStorageError.reason(error))
        }
        do {
            try await migrate(on: connection, logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
        return PostgresStorage(client: PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger), logger: logger)
    }

    private init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        runner = Task { await client.run() }
    }

    /// Lends `body` a pooled connection (a LISTEN holds one for its whole life).
    func withConnection<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await client.withConnection(body)
    }

    /// Closes the pool's connections. Queries after this fail.
    public func shutdown() async {
        runner.cancel()
        await runner.value
    }

    // MARK: Sessions

    /// The columns a `SessionRow` is read from, in `sessionRow(from:)`'s order.
    private static let sessionColumns =
        "id, chat_id, agent, status, client_data, metadata, created_at, updated_at, parent_chat_id, tool_call_id"

    public func createSession(_ row: SessionRow) async throws -> (row: SessionRow, created: Bool) {
        // ON CONFLICT: two daemons creating the same chat at once both succeed,
        // one of them learns it was first.
        let inserted = try await integer(
            """
            INSERT INTO sessions (chat_id, agent, status, client_data, metadata, created_at, updated_at, parent_chat_id, tool_call_id)
            VALUES (\(row.chatId), \(row.agent), \(row.status.rawValue), \(row.clientData), \(row.metadata),
                    \(row.createdAt), \(row.updatedAt), \(row.parentChatId), \(row.toolCallId))
            ON CONFLICT (chat_id) DO NOTHING
            RETURNING id
            """
        )
        if let id = inserted {
            var created = row
            created.id = id
            return (created, true)
        }
        guard let existing = try await session(chatId: row.chatId) else {
            // Only a concurrent delete could get here, and nothing deletes sessions.
            throw PostgresStorageError.unreadable("session \(row.chatId) conflicted on insert but is not there")
        }
        return (existing, false)
    }

    public func session(chatId: String) async throws -> SessionRow? {
        try await sessions(
            PostgresQuery(unsafeSQL: "SELECT \(Self.sessionColumns) FROM sessions WHERE chat_id = $1", binds: Self.binds(chatId))
        ).first
    }

    public func listSessions(agent: String?, status: SessionStatus?, limit: Int, after: Int64?) async throws -> [SessionRow] {
        var binds = PostgresBindings()
        binds.append(agent)
        binds.append(status?.rawValue)
        binds.append(after)
        binds.append(Int64(limit))
        return try await sessions(PostgresQuery(
            unsafeSQL: """
            SELECT \(Self.sessionColumns) FROM sessions
            WHERE ($1::text IS NULL OR agent = $1) AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR id > $3)
            ORDER BY id LIMIT $4
            """,
            binds: binds
        ))
    }

    public func children(of parentChatId: String) async throws -> [SessionRow] {
        try await sessions(PostgresQuery(
            unsafeSQL: "SELECT \(Self.sessionColumns) FROM sessions WHERE parent_chat_id = $1 ORDER BY id",
            binds: Self.binds(parentChatId)
        ))
    }

    private func sessions(_ query: PostgresQuery) async throws -> [SessionRow] {
        var rows: [SessionRow] = []
        let decoded = try await client.query(query, logger: logger).decode(
            (Int64, String, String, String, String?, String?, Date, Date, String?, String?).self
        )
        for try await (id, chatId, agent, status, clientData, metadata, createdAt, updatedAt, parentChatId, toolCallId) in decoded {
            guard let status = SessionStatus(rawValue: status) else {
                throw PostgresStorageError.unreadable("session \(chatId) has status \(status)")
            }
            var row = SessionRow(
                chatId: chatId, agent: agent, status: status, clientData: clientData, metadata: metadata,
                createdAt: createdAt, updatedAt: updatedAt, parentChatId: parentChatId, toolCallId: toolCallId
            )
            row.id = id
            rows.append(row)
        }
        return rows
    }

    // MARK: The log

    public func append(_ records: [LogRecord], statuses: [StatusChange]) async throws {
        guard !records.isEmpty || !statuses.isEmpty else { return }
        let logger = logger
        try await client.withTransaction(logger: logger) { connection in
            var start = records.startIndex
            while start < records.endIndex {
                let end = min(start + Self.rowsPerInsert, records.endIndex)
                try await connection.query(Self.insert(records[start..<end]), logger: logger)
                start = end
            }
            try await Self.notifyAppends(records, on: connection, logger: logger)
            for change in statuses {
                try await connection.query(
                    "UPDATE sessions SET status = \(change.status.rawValue), updated_at = \(change.at) WHERE chat_id = \(change.chatId)",
                    logger: logger
                )
            }
        }
    }

    /// One multi-row insert: one round trip for a group's records.
    private static func insert(_ records: ArraySlice<LogRecord>) -> PostgresQuery {
        var binds = PostgresBindings(capacity: records.count * 6)
        var rows: [String] = []
        rows.reserveCapacity(records.count)
        for record in records {
            let first = binds.count
            binds.append(record.chatId)
            binds.append(record.seq)
            binds.append(record.kind.rawValue)
            binds.append(record.body)
            binds.append(record.idempotencyKey)
            binds.append(record.createdAt)
            rows.append("(" + (1...6).map { "$\(first + $0)" }.joined(separator: ", ") + ")")
        }
        return PostgresQuery(
            unsafeSQL: "INSERT INTO records (chat_id, seq, kind, body, idempotency_key, created_at) VALUES "
                + rows.joined(separator: ", "),
            binds: binds
        )
    }

    public func records(chatId: String, after: Int64, upTo: Int64?, limit: Int?) async throws -> [LogRecord] {
        var binds = Self.binds(chatId)
        binds.append(after)
        binds.append(upTo)
        binds.append(limit.map(Int64.init))
        // LIMIT NULL is PostgreSQL for no limit.
        let decoded = try await client.query(
            PostgresQuery(
                unsafeSQL: """
                SELECT seq, kind, body, idempotency_key, created_at FROM records
                WHERE chat_id = $1 AND seq > $2 AND ($3::bigint IS NULL OR seq <= $3)
                ORDER BY seq LIMIT $4
                """,
                binds: binds
            ),
            logger: logger
        ).decode((Int64, String, String, String?, Date).self)
        var records: [LogRecord] = []
        for try await (seq, kind, body, idempotencyKey, createdAt) in decoded {
            guard let kind = LogRecord.Kind(rawValue: kind) else {
                throw PostgresStorageError.unreadable("record \(chatId)/\(seq) has kind \(kind)")
            }
            records.append(LogRecord(chatId: chatId, seq: seq, kind: kind, body: body, idempotencyKey: idempotencyKey, createdAt: createdAt))
        }
        return records
    }

    public func lastSeq(chatId: String) async throws -> Int64 {
        try await integer("SELECT coalesce(max(seq), 0) FROM records WHERE chat_id = \(chatId)") ?? 0
    }

    public func inputSeq(chatId: String, idempotencyKey: String) async throws -> Int64? {
        try await integer("SELECT seq FROM records WHERE chat_id = \(chatId) AND idempotency_key = \(idempotencyKey)")
    }

    // MARK: Snapshots

    public func saveSnapshot(_ snapshot: HistorySnapshot) async throws {
        // One statement: two writers (eviction, a periodic snapshot, another
        // daemon) may race, and the newer fold wins whichever commits last.
        try await client.query(
            """
            INSERT INTO history_snapshots (chat_id, through_seq, body, created_at)
            VALUES (\(snapshot.chatId), \(snapshot.throughSeq), \(snapshot.body), \(snapshot.createdAt))
            ON CONFLICT (chat_id) DO UPDATE
                SET through_seq = excluded.through_seq, body = excluded.body, created_at = excluded.created_at
                WHERE history_snapshots.through_seq < excluded.through_seq
            """,
            logger: logger
        )
    }

    public func snapshot(chatId: String) async throws -> HistorySnapshot? {
        let decoded = try await client.query(
            "SELECT through_seq, body, created_at FROM history_snapshots WHERE chat_id = \(chatId)", logger: logger
        ).decode((Int64, Data, Date).self)
        var snapshot: HistorySnapshot?
        for try await (throughSeq, body, createdAt) in decoded {
            snapshot = HistorySnapshot(chatId: chatId, throughSeq: throughSeq, body: body, createdAt: createdAt)
        }
        return snapshot
    }

    /// The first row's only column, or nil when there is no row. Reads every row:
    /// a result left half-read would hold its pooled connection.
    func integer(_ query: PostgresQuery) async throws -> Int64? {
        var first: Int64?
        for try await value in try await client.query(query, logger: logger).decode(Int64.self) where first == nil {
            first = value
        }
        return first
    }

    /// Bindings holding `value` as `$1`.
    private static func binds(_ value: String) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(value)
        return binds
    }
}
