import AgentHost
import ArgumentParser
import Logging

/// Where sessions and logs live (README, "Running on PostgreSQL"); shared by `serve` and `dev`.
struct DatabaseOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A PostgreSQL database for sessions and logs: postgres://user[:password]@host[:port]/db[?sslmode=disable|prefer|require].",
        discussion: "Default: AGENT_HOST_DATABASE_URL, else the SQLite file in the data directory."
    ))
    var database: String?

    @Option(help: ArgumentHelp(
        "On a PostgreSQL database shared by several daemons: seconds between looks for sessions whose daemon died (they are taken over and resumed).",
        discussion: "A turn cut off by a dead daemon resumes on another within about this time."
    ))
    var takeoverInterval: Double = 2

    func apply(to configuration: inout DaemonConfiguration) throws {
        guard takeoverInterval > 0 else { throw ValidationError("--takeover-interval must be positive") }
        configuration.takeoverInterval = .milliseconds(Int64(takeoverInterval * 1000))
        if let database { configuration.databaseURL = database }
        guard let url = configuration.databaseURL else { return }
        // Refused here, before anything starts, with the reason; the password is never echoed.
        do {
            _ = try PostgresDatabaseURL(url, environment: configuration.environment)
        } catch {
            throw ValidationError("--database / \(DaemonConfiguration.databaseURLEnvironmentKey): \(error)")
        }
    }
}

/// `--database` of `deploy` and `rollback`: act on a cluster's PostgreSQL
/// database directly, with no daemon (README, "Deploying to a cluster").
struct ClusterDatabaseOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A cluster's PostgreSQL database: postgres://user[:password]@host[:port]/db. The decision is the cluster's; no daemon need run.",
        valueName: "url"
    ))
    var database: String?

    /// Connects (migrating the schema if this is its first use); nil without `--database`.
    func connect() async throws -> PostgresStorage? {
        guard let database else { return nil }
        let url: PostgresDatabaseURL
        do {
            url = try PostgresDatabaseURL(database)
        } catch {
            throw ValidationError("--database: \(error)")
        }
        return try await PostgresStorage.connect(url: url, logger: Logger(label: "agent-host"))
    }
}
