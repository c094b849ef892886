import Foundation
import Logging
import PostgresNIO

/// Cluster-wide deploys: a build published by any daemon (or by
/// `agent-host deploy --database`) is kept here, bytes included, and every
/// decision — a new build, a rollback — is announced on `buildsChannel`, so
/// every daemon loads and activates the same build.
extension PostgresStorage: SharedBuildCatalog {
    /// The channel every daemon on the database hears build decisions on.
    static let buildsChannel = "agent_host_builds"

    /// The advisory lock that serialises rollbacks: each reads the order and
    /// moves one build, so two at once must not read the same order
    /// ("agntbild" in ASCII; distinct from `migrationLockKey`).
    static let buildDecisionLockKey: Int64 = 0x61676E74_62696C64

    public func publish(_ build: CatalogBuild, agents: [String]) async throws {
        let logger = logger
        try await withConnection { connection in try await connection.withTransaction(logger: logger) { connection in
            var changed = false
            if try await !Self.exists("SELECT 1 FROM plugin_builds WHERE sha256 = \(build.sha256)", on: connection, logger: logger) {
                guard let bytes = build.bytes else {
                    throw PostgresStorageError.unreadable("build \(build.sha256) is not published and came without its bytes")
                }
                try await connection.query(
                    """
                    INSERT INTO plugin_builds (sha256, file_name, bytes, position, published_at)
                    VALUES (\(build.sha256), \(build.fileName), \(Data(bytes)), nextval('plugin_build_positions'), now())
                    ON CONFLICT (sha256) DO NOTHING
                    """,
                    logger: logger
                )
                changed = true
            }
            if !agents.isEmpty {
                // At the build's own place: whichever daemon records first, they all record the same.
                let inserted = try await connection.query(
                    """
                    INSERT INTO plugin_activations (agent, sha256, position, activated_at)
                    SELECT agent, sha256, position, now() FROM plugin_builds, unnest(\(agents)::text[]) AS agent
                    WHERE sha256 = \(build.sha256)
                    ON CONFLICT (agent, sha256) DO NOTHING
                    RETURNING agent
                    """,
                    logger: logger
                ).collect()
                changed = changed || !inserted.isEmpty
            }
            if changed { try await Self.notifyBuilds("publish \(build.sha256)", on: connection, logger: logger) }
        } }
    }

    public func buildDecisions() async throws -> BuildDecisions {
        let logger = logger
        return try await withConnection { connection in
            var decisions = BuildDecisions()
            let order = try await connection.query(
                "SELECT agent, sha256 FROM plugin_activations ORDER BY agent, position DESC", logger: logger
            ).decode((String, String).self)
            for try await (agent, sha256) in order { decisions.order[agent, default: []].append(sha256) }
            let unrecorded = try await connection.query(
                """
                SELECT sha256 FROM plugin_builds AS build
                WHERE NOT EXISTS (SELECT 1 FROM plugin_activations AS activation WHERE activation.sha256 = build.sha256)
                ORDER BY position
                """,
                logger: logger
            ).decode(String.self)
            for try await sha256 in unrecorded { decisions.unrecorded.append(sha256) }
            return decisions
        }
    }

    public func rollback(agent: String, among available: Set<String>?) async throws -> BuildDecisions.Rollback {
        let logger = logger
        return try await withConnection { connection in try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.buildDecisionLockKey))", logger: logger)
            var builds: [String] = []
            for try await sha256 in try await connection.query(
                "SELECT sha256 FROM plugin_activations WHERE agent = \(agent) ORDER BY position DESC", logger: logger
            ).decode(String.self) {
                builds.append(sha256)
            }
            let rollback = BuildDecisions(order: builds.isEmpty ? [:] : [agent: builds]).rollback(agent: agent, among: available)
            if case .restored(_, let sha256, _) = rollback {
                try await connection.query(
                    """
                    UPDATE plugin_activations SET position = nextval('plugin_build_positions'), activated_at = now()
                    WHERE agent = \(agent) AND sha256 = \(sha256)
                    """,
                    logger: logger
                )
                try await Self.notifyBuilds("rollback \(agent)", on: connection, logger: logger)
            }
            return rollback
        } }
    }

    public func build(sha256: String) async throws -> CatalogBuild? {
        let logger = logger
        return try await withConnection { connection in
            var found: CatalogBuild?
            for try await (fileName, bytes) in try await connection.query(
                "SELECT file_name, bytes FROM plugin_builds WHERE sha256 = \(sha256)", logger: logger
            ).decode((String, Data).self) {
                found = CatalogBuild(sha256: sha256, fileName: fileName, bytes: Array(bytes))
            }
            return found
        }
    }

    /// Announces a decision inside its transaction: delivered only once it commits.
    private static func notifyBuilds(_ payload: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_notify(\(buildsChannel), \(payload))", logger: logger)
    }

    private static func exists(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await !connection.query(query, logger: logger).collect().isEmpty
    }
}
