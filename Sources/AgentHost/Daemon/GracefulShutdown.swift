import Logging
import ServiceLifecycle
import UnixSignals

/// What a graceful shutdown (SIGTERM, SIGINT) does before the server stops:
/// running turns get up to `grace` to finish, with their readers still
/// connected, so an answer under way reaches its client whole; then every open
/// stream is ended once it has sent what it holds, so the server's wait for
/// in-flight responses ends (an SSE response never ends by itself while its
/// session is open).
///
/// Readers see their connection drop and resume with `Last-Event-ID` on the
/// next run; nothing is lost, every record they had not got is in the log. A
/// turn still running when the grace is over is left as a kill would leave it:
/// the next start resumes it from its last checkpoint.
struct GracefulShutdown: Service {
    let sessions: SessionDirectory
    /// How long running turns may go on after the signal; zero: not at all.
    let grace: Duration
    let logger: Logger

    /// How long after the grace readers may take to receive what they were
    /// sent before the group cancels the rest (a stalled socket).
    static let readerFlushLimit: Duration = .seconds(10)

    /// How often the running turns are counted while the grace lasts.
    static let pollInterval: Duration = .milliseconds(50)

    func run() async throws {
        // Returns when the group starts its graceful shutdown (or is cancelled).
        try? await gracefulShutdown()
        sessions.shuttingDown.store(true, ordering: .relaxed)
        // A second SIGTERM or SIGINT ends the grace at once (the group itself
        // takes no signal as both graceful and cancelling).
        let secondSignal = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await letRunningTurnsFinish() }
            group.addTask {
                for await signal in secondSignal {
                    logger.notice("second signal; not waiting for running turns", metadata: ["signal": "\(signal)"])
                    return
                }
            }
            await group.next()
            group.cancelAll()
        }
        logger.info("closing open streams for shutdown")
        await sessions.stopReadersForShutdown()
    }

    private func letRunningTurnsFinish() async {
        let deadline = ContinuousClock.now + grace
        var running = await sessions.runningTurns
        if running > 0, grace > .zero {
            logger.info("letting running turns finish before shutdown", metadata: ["turns": "\(running)", "grace": "\(grace.secondsText)"])
        }
        while running > 0, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: Self.pollInterval)
            running = await sessions.runningTurns
        }
        if running > 0 {
            logger.notice("shutting down with turns still running; the next start resumes them", metadata: ["turns": "\(running)"])
        }
    }
}
