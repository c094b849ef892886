import Foundation
import GRDB

/// The embedded default: one SQLite file in WAL mode.
///
/// `synchronous = NORMAL` in WAL mode commits without an fsync per transaction:
/// a killed process loses nothing that was committed; only a power cut may lose
/// the last few milliseconds. That is the trade durability-by-group-commit needs.
public final class SQLiteStorage: SessionStorage {
    private let pool: DatabasePool

    public init(path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-sessions-and-log") { db in
            try db.create(table: SessionRow.databaseTableName) { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("chatId", .text).notNull().unique()
                table.column("agent", .text).notNull()
                table.column("status", .text).notNull()
                table.column("clientData", .text)
                table.column("metadata", .text)
                table.column("createdAt", .datetime).notNull()
                table.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: LogRecord.databaseTableName, options: .withoutRowID) { table in
                table.column("chatId", .text).notNull()
                table.column("seq", .integer).notNull()
                table.column("kind", .text).notNull()
                table.column("body", .text).notNull()
                table.column("idempotencyKey", .text)
                table.column("createdAt", .datetime).notNull()
                table.primaryKey(["chatId", "seq"])
            }
            try db.create(
                index: "record_idempotency", on: LogRecord.databaseTableName,
                columns: ["chatId", "idempotencyKey"], unique: true, condition: Column("idempotencyKey") != nil
            )
        }
        return migrator
    }

    public func createSession(_ row: SessionRow) async throws -> (row: SessionRow, created: Bool) {
        try await pool.write { db in
            if let existing = try SessionRow.filter(Column("chatId") == row.chatId).fetchOne(db) {
                return (existing, false)
            }
            var inserted = row
            try inserted.insert(db)
            inserted.id = db.lastInsertedRowID
            return (inserted, true)
        }
    }

    public func session(chatId: String) async throws -> SessionRow? {
        try await pool.read { db in try SessionRow.filter(Column("chatId") == chatId).fetchOne(db) }
    }

    public func listSessions(agent: String?, status: SessionStatus?, limit: Int, after: Int64?) async throws -> [SessionRow] {
        try await pool.read { db in
            var request = SessionRow.order(Column("id"))
            if let agent { request = request.filter(Column("agent") == agent) }
            if let status { request = request.filter(Column("status") == status.rawValue) }
            if let after { request = request.filter(Column("id") > after) }
            return try request.limit(limit).fetchAll(db)
        }
    }

    public func setStatus(chatId: String, status: SessionStatus) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE session SET status = ?, updatedAt = ? WHERE chatId = ?",
                arguments: [status.rawValue, Date(), chatId]
            )
        }
    }

    public func append(_ records: [LogRecord]) async throws {
        guard !records.isEmpty else { return }
        try await pool.write { db in
            // One cached statement for the whole batch: this is the daemon's hottest write.
            let insert = try db.cachedStatement(
                sql: "INSERT INTO record (chatId, seq, kind, body, idempotencyKey, createdAt) VALUES (?, ?, ?, ?, ?, ?)"
            )
            for record in records {
                try insert.execute(arguments: [
                    record.chatId, record.seq, record.kind.rawValue, record.body, record.idempotencyKey, record.createdAt,
                ])
            }
        }
    }

    public func records(chatId: String, after: Int64, upTo: Int64?) async throws -> [LogRecord] {
        try await pool.read { db in
            var request = LogRecord.filter(Column("chatId") == chatId && Column("seq") > after)
            if let upTo { request = request.filter(Column("seq") <= upTo) }
            return try request.order(Column("seq")).fetchAll(db)
        }
    }

    public func lastSeq(chatId: String) async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM record WHERE chatId = ?", arguments: [chatId]) ?? 0
        }
    }

    public func inputSeq(chatId: String, idempotencyKey: String) async throws -> Int64? {
        try await pool.read { db in
            try Int64.fetchOne(
                db, sql: "SELECT seq FROM record WHERE chatId = ? AND idempotencyKey = ?",
                arguments: [chatId, idempotencyKey]
            )
        }
    }
}
