import Hummingbird
import Logging

extension Router<BasicRequestContext> {
    /// Serves these routes on a free loopback port, for a stand-in server inside a test.
    /// - Parameters:
    ///   - label: the server's logger label.
    /// - Returns: the port, and the task serving; cancelling it stops the server.
    func serveOnLoopback(label: String) async -> (port: Int, task: Task<Void, any Error>) {
        // Stopping by cancellation makes Hummingbird log errors that are not ours.
        var quiet = Logger(label: label)
        quiet.logLevel = .critical
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: self,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: quiet
        )
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var port = 0
        for await running in ports {
            port = running
            break
        }
        return (port, task)
    }
}
