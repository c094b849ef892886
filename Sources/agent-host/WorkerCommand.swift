import AgentHost
import ArgumentParser
import Foundation
import Logging

/// `agent-host worker`: the process the daemon starts to run one plugin build
/// isolated from itself. Not for people: the daemon passes the socket on fd 3.
struct Worker: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one plugin build for the daemon (started by the daemon, not by hand).",
        shouldDisplay: false
    )

    @Option(help: "The verified store copy to load.")
    var plugin: String

    @Option(help: "The plugin's name.")
    var name: String

    @Option(help: "The build's SHA-256, as the daemon computed it.")
    var sha256: String

    func run() throws {
        // The daemon's LOG_LEVEL/LOG_FORMAT, inherited: a worker logs like its daemon.
        let environment = ProcessInfo.processInfo.environment
        (try? LogSettings(level: nil, format: nil, environment: environment))?.bootstrap()
        let logger = Logger(label: "agent-host.worker")
        let status = PluginWorker.run(storePath: plugin, name: name, sha256: sha256, logger: logger)
        throw ExitCode(status)
    }
}
