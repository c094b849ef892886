import GRDB

/// `LogRecord` reads and writes rows of the `record` table.
///
/// The table has no rowid (its key is `chatId, seq`), so nothing is learnt on
/// insert: a plain `PersistableRecord` that keeps the default `didInsert`.
extension LogRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "record"

    /// The columns of the `record` table, named as the Codable keys they store.
    /// Public because GRDB 7 makes `Columns` a `TableRecord` requirement (`filter { $0.seq > 1 }`).
    public enum Columns {
        public static let chatId = Column("chatId")
        public static let seq = Column("seq")
        public static let kind = Column("kind")
        public static let body = Column("body")
        public static let idempotencyKey = Column("idempotencyKey")
        public static let createdAt = Column("createdAt")

        /// Every column, in the order the batched insert binds its values.
        static let all = [chatId, seq, kind, body, idempotencyKey, createdAt]
    }
}

/// Stored as its raw value (`in`, `out`, `control`, `state`).
extension LogRecord.Kind: DatabaseValueConvertible {}
