import AgentHost
import ArgumentParser
import Foundation

/// How the daemon logs; shared by `serve` and `dev`. Tracing is configured by the
/// usual OpenTelemetry variables (README, "Observability").
struct ObservabilityOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Lowest log level written: trace, debug, info, notice, warning, error or critical.",
        discussion: "Default: LOG_LEVEL, else info."
    ))
    var logLevel: String?

    @Option(help: ArgumentHelp(
        "Log line format: text, or json (one object a line, metadata as fields).",
        discussion: "Default: LOG_FORMAT, else text. The start-up banner stays plain text either way."
    ))
    var logFormat: String?

    /// Bootstraps logging, metrics and tracing for this process: once, before the daemon runs.
    func bootstrap() throws -> DaemonObservability {
        let environment = ProcessInfo.processInfo.environment
        let logs: LogSettings
        do {
            logs = try LogSettings(level: logLevel, format: logFormat, environment: environment)
        } catch {
            throw ValidationError(error.description)
        }
        // Plugin workers are processes of their own, started with this environment: they log alike.
        setenv("LOG_LEVEL", logs.level.rawValue, 1)
        setenv("LOG_FORMAT", logs.format.rawValue, 1)
        return try DaemonObservability.bootstrap(logs: logs, environment: environment)
    }
}
