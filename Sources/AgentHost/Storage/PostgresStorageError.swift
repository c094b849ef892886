import PostgresNIO

/// What `PostgresStorage` refuses, in words an operator can act on.
public enum PostgresStorageError: Error, CustomStringConvertible {
    /// `--database` or `AGENT_HOST_DATABASE_URL` is not a PostgreSQL URL this daemon understands.
    case invalidURL(String)
    /// The database's schema is newer than this build knows: a newer daemon migrated it.
    case schemaTooNew(found: Int, known: Int)
    /// A stored value this build cannot read (e.g. a status a newer daemon wrote).
    case unreadable(String)

    public var description: String {
        switch self {
        case .invalidURL(let reason): "invalid PostgreSQL URL: \(reason)"
        case .schemaTooNew(let found, let known):
            "the database's schema is version \(found), this agent-host knows up to \(known): run a newer agent-host"
        case .unreadable(let what): "unreadable row in PostgreSQL: \(what)"
        }
    }

    /// The SQLSTATE of a server error, looking through the transaction wrapper.
    /// - Parameters:
    ///   - error: What a query or transaction threw.
    static func sqlState(of error: any Error) -> String? {
        if let transaction = error as? PostgresTransactionError {
            return (transaction.closureError ?? transaction.commitError).flatMap(sqlState(of:))
        }
        return (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// SQLSTATE `unique_violation`: a (chatId, seq) or idempotency key taken already.
    static let uniqueViolation = "23505"
}
