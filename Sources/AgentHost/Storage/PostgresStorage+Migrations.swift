import Logging
import PostgresNIO

extension PostgresStorage {
    /// One step of the schema's history. Steps name tables and columns literally:
    /// they describe past schemas and never change once released; a new schema
    /// is a new step.
    struct Migration: Sendable {
        let version: Int
        let name: String
        let statements: [String]
    }

    /// The schema's history, oldest first; versions are dense from 1.
    ///
    /// The same tables as SQLite's (SQLiteStorage.migrator), in snake case, which
    /// PostgreSQL needs no quoting for. `(chat_id, seq)` is the records' primary
    /// key: a seq taken twice is refused by the database, whatever daemon wrote it.
    static let migrations: [Migration] = [
        Migration(version: 1, name: "sessions-log-snapshots", statements: [
            """
            CREATE TABLE sessions (
                id bigserial PRIMARY KEY,
                chat_id text NOT NULL UNIQUE,
                agent text NOT NULL,
                status text NOT NULL,
                client_data text,
                metadata text,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                parent_chat_id text,
                tool_call_id text
            )
            """,
            "CREATE INDEX sessions_parent ON sessions (parent_chat_id) WHERE parent_chat_id IS NOT NULL",
            """
            CREATE TABLE records (
                chat_id text NOT NULL,
                seq bigint NOT NULL,
                kind text NOT NULL,
                body text NOT NULL,
                idempotency_key text,
                created_at timestamptz NOT NULL,
                PRIMARY KEY (chat_id, seq)
            )
            """,
            """
            CREATE UNIQUE INDEX records_idempotency ON records (chat_id, idempotency_key)
                WHERE idempotency_key IS NOT NULL
            """,
            """
            CREATE TABLE history_snapshots (
                chat_id text PRIMARY KEY,
                through_seq bigint NOT NULL,
                body bytea NOT NULL,
                created_at timestamptz NOT NULL
            )
            """,
        ]),
        Migration(version: 2, name: "cluster-session-requests", statements: [
            // Writes a daemon relays to the session's owner (`ClusterRequest`):
            // the owner answers in `reply`; an unanswered row outlives a daemon
            // that dies, and the session's next owner answers it.
            """
            CREATE TABLE session_requests (
                id bigserial PRIMARY KEY,
                chat_id text NOT NULL,
                body text NOT NULL,
                reply text,
                created_at timestamptz NOT NULL DEFAULT now(),
                answered_at timestamptz
            )
            """,
            "CREATE INDEX session_requests_pending ON session_requests (chat_id, id) WHERE reply IS NULL",
        ]),
        buildCatalogMigration,
    ]

    /// The key of the advisory lock that serialises migrations: any constant no
    /// other application on the database uses ("agnthost" in ASCII).
    static let migrationLockKey: Int64 = 0x61676E74_686F7374

    /// Brings the schema up to date, in one transaction. Safe when several
    /// daemons start at once: the first takes the advisory lock and migrates,
    /// the others wait for it, then find nothing left to do.
    /// - Parameters:
    ///   - connection: A connection of its own (not the pool's): start-up fails fast on it.
    ///   - logger: Where applied steps are logged.
    static func migrate(on connection: PostgresConnection, logger: Logger) async throws {
        do {
            try await migrateInTransaction(on: connection, logger: logger)
        } catch let error as PostgresTransactionError {
            // Our own refusal (a schema too new) in the operator's words, not in the transaction's wrapper.
            if let refusal = error.closureError as? PostgresStorageError { throw refusal }
            throw error
        }
    }

    private static func migrateInTransaction(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.withTransaction(logger: logger) { connection in
            // Transaction-scoped: released by COMMIT or ROLLBACK, or by the server
            // when a daemon dies mid-migration; nothing to unlock by hand.
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLockKey))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_version (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                logger: logger
            )
            var current = 0
            for try await version in try await connection.query(
                "SELECT coalesce(max(version), 0)::integer FROM schema_version", logger: logger
            ).decode(Int.self) {
                current = version
            }
            let known = migrations.last?.version ?? 0
            // A newer daemon moved the schema on; this one would misread it.
            guard current <= known else { throw PostgresStorageError.schemaTooNew(found: current, known: known) }
            for migration in migrations where migration.version > current {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_version (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger
                )
                logger.info("postgres schema migrated", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            }
        }
    }
}
