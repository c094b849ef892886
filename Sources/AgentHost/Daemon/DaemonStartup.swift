import Foundation
import Logging
import ServiceLifecycle

/// What start-up does after the server listens: waits for the builds present
/// at start to load (the watcher loads them), says so on stdout, and resumes
/// the sessions the last shutdown interrupted — on their agents, which are
/// loaded by then.
///
/// Listening first keeps `/healthz` and every loaded agent answering while a
/// slow build loads, and lets an operator see a daemon whose start-up load
/// hangs (the load journal refuses that build at the next start).
struct DaemonStartup: Service {
    let registry: PluginRegistry
    let sessions: SessionDirectory
    let logger: Logger

    /// The line written to stdout once the start-up builds are loaded or refused.
    static let pluginsLoadedPrefix = "agent-host plugins loaded"

    func run() async throws {
        await registry.startup.wait()
        let snapshot = await registry.snapshot()
        // Written straight to fd 1, like the banner: scripts and tests wait for it.
        let line = "\(Self.pluginsLoadedPrefix): \(snapshot.agents.count) agents, \(snapshot.refusals.count) refused\n"
        FileHandle.standardOutput.write(Data(line.utf8))
        let recovered = try await sessions.recoverInterruptedSessions()
        if recovered > 0 { logger.notice("resuming sessions interrupted by the last shutdown", metadata: ["count": "\(recovered)"]) }
        // A service that returns would stop the whole group: stay until shutdown.
        try await gracefulShutdown()
    }
}
