import GRDB

/// `HistorySnapshot` reads and writes rows of the `historySnapshot` table, one per session.
extension HistorySnapshot: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "historySnapshot"

    /// The columns of the `historySnapshot` table, named as the Codable keys they store.
    public enum Columns {
        public static let chatId = Column("chatId")
        public static let throughSeq = Column("throughSeq")
        public static let body = Column("body")
        public static let createdAt = Column("createdAt")
    }
}
