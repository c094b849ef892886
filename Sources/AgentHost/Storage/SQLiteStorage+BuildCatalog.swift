import Foundation
import GRDB

/// The activation decision of a daemon on SQLite: which build of each agent is
/// active survives a restart (a rollback included). The bytes stay in the
/// plugin store; only hashes, names and the order are kept here.
extension SQLiteStorage: BuildCatalog {
    public func publish(_ build: CatalogBuild, agents: [String]) async throws {
        try await guardedWrite { db in
            if try !Self.isPublished(build.sha256, db) {
                try db.execute(
                    sql: "INSERT INTO pluginBuild (sha256, fileName, position, publishedAt) VALUES (?, ?, ?, ?)",
                    arguments: [build.sha256, build.fileName, try Self.nextPosition(db), Date()]
                )
            }
            // At the build's own place: the first record wins, a later load of the same build changes nothing.
            for agent in agents {
                try db.execute(
                    sql: """
                    INSERT OR IGNORE INTO pluginActivation (agent, sha256, position, activatedAt)
                    SELECT ?, sha256, position, ? FROM pluginBuild WHERE sha256 = ?
                    """,
                    arguments: [agent, Date(), build.sha256]
                )
            }
        }
    }

    public func buildDecisions() async throws -> BuildDecisions {
        try await pool.read { db in try Self.decisions(db) }
    }

    public func rollback(agent: String, among available: Set<String>?) async throws -> BuildDecisions.Rollback {
        try await guardedWrite { db in
            let rollback = try Self.decisions(db).rollback(agent: agent, among: available)
            if case .restored(_, let sha256, _) = rollback {
                try db.execute(
                    sql: "UPDATE pluginActivation SET position = ?, activatedAt = ? WHERE agent = ? AND sha256 = ?",
                    arguments: [try Self.nextPosition(db), Date(), agent, sha256]
                )
            }
            return rollback
        }
    }

    private static func isPublished(_ sha256: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM pluginBuild WHERE sha256 = ?", arguments: [sha256]) ?? false
    }

    /// One counter for publications and rollbacks: a restored build goes after every build published before.
    private static func nextPosition(_ db: Database) throws -> Int64 {
        let builds = try Int64.fetchOne(db, sql: "SELECT max(position) FROM pluginBuild") ?? 0
        let activations = try Int64.fetchOne(db, sql: "SELECT max(position) FROM pluginActivation") ?? 0
        return max(builds, activations) + 1
    }

    private static func decisions(_ db: Database) throws -> BuildDecisions {
        var decisions = BuildDecisions()
        for row in try Row.fetchAll(db, sql: "SELECT agent, sha256 FROM pluginActivation ORDER BY agent, position DESC") {
            decisions.order[row["agent"], default: []].append(row["sha256"])
        }
        decisions.unrecorded = try String.fetchAll(
            db, sql: "SELECT sha256 FROM pluginBuild WHERE sha256 NOT IN (SELECT sha256 FROM pluginActivation) ORDER BY position"
        )
        return decisions
    }
}
