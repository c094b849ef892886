import AgentHost
import ArgumentParser

/// Where sessions and logs live (README, "Running on PostgreSQL"); shared by `serve` and `dev`.
struct DatabaseOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A PostgreSQL database for sessions and logs: postgres://user[:password]@host[:port]/db[?sslmode=disable|prefer|require].",
        discussion: "Default: AGENT_HOST_DATABASE_URL, else the SQLite file in the data directory."
    ))
    var database: String?

    func apply(to configuration: inout DaemonConfiguration) throws {
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
