import Foundation
import GRDB

/// Test-only: a full disk on demand, through SQLite's own limit.
///
/// With `AGENT_HOST_TEST_STORAGE_FULL_FILE=<path>` set, while a file exists at
/// `<path>` the database takes no writes: every write transaction fails with
/// `SQLITE_FULL`, the error SQLite gives on a full disk, and the writer
/// connection's `max_page_count` is pinned at the file's size. Failing every
/// write (not only one that needs a new page) keeps tests deterministic: a
/// database with free pages inside would otherwise take a few more commits, or
/// a whole answer, depending on what freed them. Removing the file lifts the
/// fault; the daemon notices at its next write or probe. A test fills and frees
/// storage of a real daemon process this way, without root or a small file system.
///
/// Costs one `access(2)` per commit, and only when the variable is set.
public struct StorageFaultInjection: Sendable {
    public static let environmentKey = "AGENT_HOST_TEST_STORAGE_FULL_FILE"

    /// While a file exists here, the database is full.
    let fullWhileExists: String

    /// Reads `AGENT_HOST_TEST_STORAGE_FULL_FILE`; nil when it is unset (always, outside tests).
    public init?(environment: [String: String]) {
        guard let path = environment[Self.environmentKey], !path.isEmpty else { return nil }
        fullWhileExists = path
    }

    /// Sets the connection's page limit for the write about to run.
    /// - Parameters:
    ///   - db: The writer connection.
    ///   - normalMaxPageCount: The limit to restore when the database is not full.
    func apply(to db: Database, normalMaxPageCount: Int) throws {
        // SQLite never lowers the limit below the current size: 1 pins it there.
        let full = access(fullWhileExists, F_OK) == 0
        try db.execute(sql: "PRAGMA max_page_count = \(full ? 1 : normalMaxPageCount)")
        if full {
            throw DatabaseError(resultCode: .SQLITE_FULL, message: "database or disk is full (test fault injection)")
        }
    }
}
