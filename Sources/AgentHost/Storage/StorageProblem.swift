/// Why the database takes no writes now: what `/healthz` names and what a
/// refused write's 503 says.
public struct StorageProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// A commit failed because the disk (or the database's page limit) is full.
        case full = "storage_full"
        /// A commit failed for another reason of the storage's own (I/O error,
        /// read-only file system, database locked past its timeout, damaged file).
        case writeFailed = "storage_write_failed"
        /// The database file the daemon opened is no longer at its path (its
        /// directory was deleted): SQLite would go on writing to the unlinked file,
        /// and everything acknowledged would be lost at the next start.
        case fileMissing = "database_file_missing"
        /// Another file now sits at the database's path.
        case fileReplaced = "database_file_replaced"

        /// The daemon cannot recover from it without a restart: the file it
        /// writes to is not the one the next start reads.
        public var isPermanent: Bool { self == .fileMissing || self == .fileReplaced }
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}
