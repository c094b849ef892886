import Logging
import ServiceLifecycle

/// At a graceful shutdown (SIGTERM, SIGINT), ends every open stream so the
/// server's wait for in-flight responses ends: an SSE response never ends by
/// itself while its session is open. Readers see their connection drop and
/// resume with `Last-Event-ID` on the next run; nothing is lost, every record
/// they had not got is in the log.
struct ReaderShutdown: Service {
    let sessions: SessionDirectory
    let logger: Logger

    func run() async throws {
        // Returns when the group starts its graceful shutdown (or is cancelled).
        try? await gracefulShutdown()
        logger.info("closing open streams for shutdown")
        await sessions.stopReadersForShutdown()
    }
}
