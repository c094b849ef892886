import AgentHostClient
import Foundation

/// Runs `body` against the real `agent-host` binary, started on a fresh data
/// directory with a free port, and always stops it (and removes its data) after,
/// whether `body` returns or throws.
/// - Parameters:
///   - plugins: Plugin builds in the drop directory at start.
///   - environment: Variables for the daemon, e.g. `AGENT_HOST_SCRIPTED_DELAY_MS`.
///   - arguments: Extra `serve` arguments.
///   - body: The test; it gets the daemon and a client holding its secret key.
public func withDaemon<Result>(
    plugins: [URL] = [DaemonProcess.myChatPlugin], environment: [String: String] = [:], arguments: [String] = [],
    _ body: (DaemonProcess, AgentHostClient) async throws -> Result
) async throws -> Result {
    let daemon = try DaemonProcess(plugins: plugins, environment: environment, arguments: arguments)
    defer { daemon.stop() }
    try daemon.start()
    return try await body(daemon, daemon.client)
}
