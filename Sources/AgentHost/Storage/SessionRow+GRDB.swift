import GRDB

/// `SessionRow` reads and writes rows of the `session` table.
///
/// A `MutablePersistableRecord`, so that `insert` can hand the row its
/// auto-incremented id through `didInsert` (GRDB 7's non-mutating
/// `PersistableRecord.didInsert` cannot change the record).
extension SessionRow: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "session"

    /// The columns of the `session` table, named as the Codable keys they store.
    /// Public because GRDB 7 makes `Columns` a `TableRecord` requirement (`filter { $0.seq > 1 }`).
    public enum Columns {
        public static let id = Column("id")
        public static let chatId = Column("chatId")
        public static let agent = Column("agent")
        public static let status = Column("status")
        public static let clientData = Column("clientData")
        public static let metadata = Column("metadata")
        public static let createdAt = Column("createdAt")
        public static let updatedAt = Column("updatedAt")
        public static let parentChatId = Column("parentChatId")
        public static let toolCallId = Column("toolCallId")
    }

    /// Takes the id SQLite assigned to the inserted row.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// Stored as its raw value (`idle`, `running`, `awaiting-input`, `closed`).
extension SessionStatus: DatabaseValueConvertible {}
