@testable import AgentHost
import Foundation
import Logging
import Testing
import TestSupport

/// What only the PostgreSQL store has: its URL, start-up migrations shared by
/// daemons starting at once, and failing fast on a server it cannot use.
@Suite struct PostgresStorageTests {
    private let logger = Logger(label: "postgres-storage-test")

    @Test func urlsAreParsedAndBadOnesRefusedWithTheReason() throws {
        let url = try PostgresDatabaseURL("postgres://agent:s%40cret@db.internal:6543/agent_host?sslmode=require", environment: [:])
        #expect(url.host == "db.internal")
        #expect(url.port == 6543)
        #expect(url.username == "agent")
        #expect(url.password == "s@cret")
        #expect(url.database == "agent_host")
        #expect(url.tls == .require)
        #expect(url.redacted == "postgres://agent@db.internal:6543/agent_host")

        let defaults = try PostgresDatabaseURL("postgresql://agent@127.0.0.1/db", environment: ["PGPASSWORD": "from-env"])
        #expect(defaults.port == 5432)
        #expect(defaults.tls == .prefer)
        #expect(defaults.password == "from-env")
        #expect(try PostgresDatabaseURL("postgres://agent@[::1]:5433/db", environment: [:]).host == "::1")

        for bad in [
            "mysql://agent@host/db", "postgres://host/db", "postgres://agent@host", "postgres://agent@host/",
            "postgres://agent@host/db?sslmode=sometimes", "postgres://agent@host/db?application=x", "not a url",
        ] {
            #expect(throws: PostgresStorageError.self, "\(bad)") { try PostgresDatabaseURL(bad, environment: [:]) }
        }
    }

    @Test func daemonsStartingAtOnceMigrateOnceAndARestartKeepsTheData() async throws {
        let url = try PostgresCluster.database()
        let parsed = try PostgresDatabaseURL(url)
        let logger = logger
        // Four daemons' start-ups racing on an empty database: each finds a usable schema.
        let storages = try await withThrowingTaskGroup(of: PostgresStorage.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresStorage.connect(url: parsed, logger: logger) } }
            return try await group.reduce(into: [PostgresStorage]()) { $0.append($1) }
        }
        #expect(try PostgresCluster.psql(url, "SELECT version FROM schema_version ORDER BY version")
            == PostgresStorage.migrations.map { "\($0.version)" }.joined(separator: "\n"))
        _ = try await storages[0].createSession(SessionRow(chatId: "a", agent: "x"))
        try await storages[1].append([LogRecord(chatId: "a", seq: 1, kind: .input, body: "{}")], statuses: [])
        // Every one sees what another wrote: one database, not four.
        for storage in storages { #expect(try await storage.lastSeq(chatId: "a") == 1) }
        for storage in storages { await storage.shutdown() }

        let restarted = try await PostgresStorage.connect(url: parsed, logger: logger)
        #expect(try await restarted.session(chatId: "a")?.agent == "x")
        #expect(try await restarted.records(chatId: "a", after: 0, upTo: nil).count == 1)
        await restarted.shutdown()
    }

    @Test func aSchemaNewerThanThisBuildIsRefused() async throws {
        let url = try PostgresCluster.database()
        let storage = try await PostgresStorage.connect(url: try PostgresDatabaseURL(url), logger: logger)
        await storage.shutdown()
        let newer = (PostgresStorage.migrations.last?.version ?? 0) + 1
        _ = try PostgresCluster.psql(url, "INSERT INTO schema_version (version, name) VALUES (\(newer), 'from-the-future')")
        await #expect {
            _ = try await PostgresStorage.connect(url: try PostgresDatabaseURL(url), logger: logger)
        } throws: { error in
            guard case .schemaTooNew(let found, let known) = error as? PostgresStorageError else { return false }
            return found == newer && known == newer - 1
        }
    }

    @Test func aServerThatIsNotThereFailsTheStartAtOnce() async throws {
        // The cluster's own port with a database that does not exist: the server's refusal, not a hang in the pool.
        let cluster = try PostgresCluster.shared()
        let missing = try PostgresDatabaseURL(cluster.url(database: "no_such_database"))
        await #expect {
            _ = try await PostgresStorage.connect(url: missing, logger: logger)
        } throws: { error in
            "\(error)".contains("cannot use PostgreSQL at \(missing.redacted)") && "\(error)".contains("no_such_database\" does not exist")
        }
        // Nothing listening at all: the socket's refusal, at once.
        let closed = try PostgresDatabaseURL("postgres://agenthost@127.0.0.1:1/db?sslmode=disable")
        await #expect {
            _ = try await PostgresStorage.connect(url: closed, logger: logger)
        } throws: { error in
            guard case .cannotConnect(let url, let reason) = error as? PostgresStorageError else { return false }
            return url == closed.redacted && reason.lowercased().contains("refused")
        }
    }
}
