import PostgresNIO

/// What `PostgresStorage` refuses, in words an operator can act on.
public enum PostgresStorageError: Error, CustomStringConvertible {
    /// `--database` or `AGENT_HOST_DATABASE_URL` is not a PostgreSQL URL this daemon understands.
    case invalidURL(String)
    /// The database's schema is newer than this build knows: a newer daemon migrated it.
    case schemaTooNew(found: Int, known: Int)
    /// A stored value this build cannot read (e.g. a status a newer daemon wrote).
    case unreadable(String)
    /// Start-up could not connect or log in: where (no password) and the reason.
    case cannotConnect(String, reason: String)

    public var description: String {
        switch self {
        case .invalidURL(let reason): "invalid PostgreSQL URL: \(reason)"
        case .schemaTooNew(let found, let known):
            "the database's schema is version \(found), this agent-host knows up to \(known): run a newer agent-host"
        case .unreadable(let what): "unreadable row in PostgreSQL: \(what)"
        case .cannotConnect(let url, let reason): "cannot use PostgreSQL at \(url): \(reason)"
        }
    }

    /// Why a connection failed, in words: the server's message (a wrong user or
    /// database), else the socket's error (nothing listening). PSQLError's own
    /// description hides both, lest a query's values leak; a connection has none.
    /// - Parameters:
    ///   - error: What connecting threw.
    static func reason(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: error) }
        if let message = error.serverInfo?[.message] { return message }
        if let underlying = error.underlying { return String(describing: underlying) }
        return String(describing: error.code)
    }
}
