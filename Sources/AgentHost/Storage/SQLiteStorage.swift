import Foundation
import GRDB
import Logging

/// The embedded default: one SQLite file in WAL mode.
///
/// `synchronous = NORMAL` in WAL mode commits without an fsync per transaction:
/// a killed process loses nothing that was committed; only a power cut may lose
/// the last few milliseconds. That is the trade durability-by-group-commit needs.
public final class SQLiteStorage: SessionStorage {
    let pool: DatabasePool
    /// The circuit breaker every write passes (`SQLiteStorage+Health`).
    public let health: StorageHealth
    /// The file opened, checked before every write: a deleted data directory
    /// must refuse writes, not swallow them.
    let identity: DatabaseFileIdentity?
    /// Test-only: makes the database full on demand (`StorageFaultInjection`).
    let faults: StorageFaultInjection?
    /// The writer connection's page limit before any fault injection touched it.
    let normalMaxPageCount: Int

    /// - Parameters:
    ///   - path: The database file, created if missing.
    ///   - logger: Where storage trouble is logged.
    ///   - faults: Test-only fault injection; nil in normal use.
    public init(path: String, logger: Logger = Logger(label: "agent-host.storage"), faults: StorageFaultInjection? = nil) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
        normalMaxPageCount = try pool.write { db in try Int.fetchOne(db, sql: "PRAGMA max_page_count") } ?? 1_073_741_823
        identity = DatabaseFileIdentity(path: path)
        health = StorageHealth(logger: logger)
        self.faults = faults
    }

    /// The schema's history. Migrations name their tables and columns literally:
    /// they describe past schemas and must not change when the record types do
    /// (GRDB, "Migrations": migrations should not depend on application types).
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-sessions-and-log") { db in
            try db.create(table: "session") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("chatId", .text).notNull().unique()
                table.column("agent", .text).notNull()
                table.column("status", .text).notNull()
                table.column("clientData", .text)
                table.column("metadata", .text)
                table.column("createdAt", .datetime).notNull()
                table.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "record", options: .withoutRowID) { table in
                table.column("chatId", .text).notNull()
                table.column("seq", .integer).notNull()
                table.column("kind", .text).notNull()
                table.column("body", .text).notNull()
                table.column("idempotencyKey", .text)
                table.column("createdAt", .datetime).notNull()
                table.primaryKey(["chatId", "seq"])
            }
            try db.create(
                index: "record_idempotency", on: "record",
                columns: ["chatId", "idempotencyKey"], unique: true, condition: Column("idempotencyKey") != nil
            )
        }
        migrator.registerMigration("v2-history-snapshots") { db in
            try db.create(table: "historySnapshot") { table in
                table.primaryKey("chatId", .text)
                table.column("throughSeq", .integer).notNull()
                table.column("body", .blob).notNull()
                table.column("createdAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v3-sub-agent-sessions") { db in
            try db.alter(table: "session") { table in
                table.add(column: "parentChatId", .text)
                table.add(column: "toolCallId", .text)
            }
            try db.create(index: "session_parent", on: "session", columns: ["parentChatId"], condition: Column("parentChatId") != nil)
        }
        migrator.registerMigration("v4-storage-probe") { db in
            // The probe's scratch table (`SQLiteStorage+Health`): one tiny row, rewritten by each probe.
            try db.create(table: "storageProbe") { table in
                table.primaryKey("id", .integer)
                table.column("body", .blob).notNull()
            }
        }
        migrator.registerMigration("v5-build-catalog") { db in
            // The activation decision (`SQLiteStorage+BuildCatalog`): builds in
            // publication order, and each agent's builds in activation order.
            try db.create(table: "pluginBuild") { table in
                table.primaryKey("sha256", .text)
                table.column("fileName", .text).notNull()
                table.column("position", .integer).notNull()
                table.column("publishedAt", .datetime).notNull()
            }
            try db.create(table: "pluginActivation") { table in
                table.column("agent", .text).notNull()
                table.column("sha256", .text).notNull().references("pluginBuild")
                table.column("position", .integer).notNull()
                table.column("activatedAt", .datetime).notNull()
                table.primaryKey(["agent", "sha256"])
            }
        }
        return migrator
    }

    /// The batched log insert, spelled out once from the record type's table and
    /// columns: it runs as a cached statement, the daemon's hottest write.
    static let insertRecordSQL: String = {
        let columns = LogRecord.Columns.all.map(\.name.quotedDatabaseIdentifier)
        let placeholders = Array(repeating: "?", count: columns.count)
        return "INSERT INTO \(LogRecord.databaseTableName.quotedDatabaseIdentifier) "
            + "(\(columns.joined(separator: ", "))) VALUES (\(placeholders.joined(separator: ", ")))"
    }()

    /// The status change that rides in the same transaction as the records.
    static let updateStatusSQL: String = {
        let status = SessionRow.Columns.status.name.quotedDatabaseIdentifier
        let updatedAt = SessionRow.Columns.updatedAt.name.quotedDatabaseIdentifier
        let chatId = SessionRow.Columns.chatId.name.quotedDatabaseIdentifier
        return "UPDATE \(SessionRow.databaseTableName.quotedDatabaseIdentifier) SET \(status) = ?, \(updatedAt) = ? WHERE \(chatId) = ?"
    }()

    public func createSession(_ row: SessionRow) async throws -> (row: SessionRow, created: Bool) {
        try await guardedWrite { db in
            if let existing = try SessionRow.filter(SessionRow.Columns.chatId == row.chatId).fetchOne(db) {
                return (existing, false)
            }
            var inserted = row
            try inserted.insert(db)
            return (inserted, true)
        }
    }

    public func session(chatId: String) async throws -> SessionRow? {
        try await pool.read { db in try SessionRow.filter(SessionRow.Columns.chatId == chatId).fetchOne(db) }
    }

    public func listSessions(agent: String?, status: SessionStatus?, limit: Int, after: Int64?) async throws -> [SessionRow] {
        try await pool.read { db in
            var request = SessionRow.order(SessionRow.Columns.id)
            if let agent { request = request.filter(SessionRow.Columns.agent == agent) }
            if let status { request = request.filter(SessionRow.Columns.status == status) }
            if let after { request = request.filter(SessionRow.Columns.id > after) }
            return try request.limit(limit).fetchAll(db)
        }
    }

    public func children(of parentChatId: String) async throws -> [SessionRow] {
        try await pool.read { db in
            try SessionRow.filter(SessionRow.Columns.parentChatId == parentChatId).order(SessionRow.Columns.id).fetchAll(db)
        }
    }

    public func append(_ records: [LogRecord], statuses: [StatusChange]) async throws {
        guard !records.isEmpty || !statuses.isEmpty else { return }
        try await guardedWrite { db in
            // Cached statements for the whole batch: this is the daemon's hottest write.
            let insert = try db.cachedStatement(sql: Self.insertRecordSQL)
            for record in records {
                try insert.execute(arguments: [
                    record.chatId, record.seq, record.kind.rawValue, record.body, record.idempotencyKey, record.createdAt,
                ])
            }
            let update = try db.cachedStatement(sql: Self.updateStatusSQL)
            for change in statuses {
                try update.execute(arguments: [change.status.rawValue, change.at, change.chatId])
            }
        }
    }

    public func records(chatId: String, after: Int64, upTo: Int64?, limit: Int?) async throws -> [LogRecord] {
        try await pool.read { db in
            var request = LogRecord.filter(LogRecord.Columns.chatId == chatId && LogRecord.Columns.seq > after)
            if let upTo { request = request.filter(LogRecord.Columns.seq <= upTo) }
            request = request.order(LogRecord.Columns.seq)
            if let limit { request = request.limit(limit) }
            return try request.fetchAll(db)
        }
    }

    public func lastSeq(chatId: String) async throws -> Int64 {
        try await pool.read { db in
            try LogRecord.filter(LogRecord.Columns.chatId == chatId)
                .select(max(LogRecord.Columns.seq), as: Int64.self)
                .fetchOne(db) ?? 0
        }
    }

    public func inputSeq(chatId: String, idempotencyKey: String) async throws -> Int64? {
        try await pool.read { db in
            try LogRecord.filter(LogRecord.Columns.chatId == chatId && LogRecord.Columns.idempotencyKey == idempotencyKey)
                .select(LogRecord.Columns.seq, as: Int64.self)
                .fetchOne(db)
        }
    }

    public func saveSnapshot(_ snapshot: HistorySnapshot) async throws {
        try await guardedWrite { db in
            let kept = try HistorySnapshot.filter(key: snapshot.chatId).fetchOne(db)
            // Two writers may race (eviction, a periodic snapshot): the newer fold wins.
            guard (kept?.throughSeq ?? -1) < snapshot.throughSeq else { return }
            try snapshot.save(db)
        }
    }

    public func snapshot(chatId: String) async throws -> HistorySnapshot? {
        try await pool.read { db in try HistorySnapshot.filter(key: chatId).fetchOne(db) }
    }
}
