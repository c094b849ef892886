import Foundation
import Logging
import PostgresNIO

/// What makes a daemon one of several on a shared PostgreSQL database: who
/// owns which session (`PostgresSessionOwnership`), writes relayed to owners
/// (`SessionRelay`), live readers of sessions owned elsewhere
/// (`RemoteSessionTails`), and how often a session whose owner died is taken
/// over (`ClusterTakeover`).
final class ClusterLink: Sendable {
    let url: PostgresDatabaseURL
    let storage: PostgresStorage
    let ownership: PostgresSessionOwnership
    let relay: SessionRelay
    let tails: RemoteSessionTails
    /// How often this daemon looks for sessions without a live owner.
    let takeoverInterval: Duration
    let logger: Logger
    /// This daemon among the cluster's, for the announcements it must not hear back.
    let daemonId = String(UUID().uuidString.prefix(8)).lowercased()

    /// - Parameters:
    ///   - url: The database (the announcements get a connection of their own).
    ///   - storage: The shared store.
    ///   - takeoverInterval: How often to look for sessions whose owner died.
    ///   - relayTimeout: How long a relayed write waits for an owner.
    ///   - readerBufferBytes: How far a reader of another daemon's session may fall behind.
    ///   - logger: For ownership, relays and takeovers.
    static func connect(
        url: PostgresDatabaseURL, storage: PostgresStorage, takeoverInterval: Duration, relayTimeout: Duration,
        readerBufferBytes: Int, logger: Logger
    ) async throws -> ClusterLink {
        ClusterLink(
            url: url, storage: storage, ownership: try await PostgresSessionOwnership.connect(url: url, logger: logger),
            relay: SessionRelay(storage: storage, timeout: relayTimeout),
            tails: RemoteSessionTails(storage: storage, readerBufferBytes: readerBufferBytes, logger: logger),
            takeoverInterval: takeoverInterval, logger: logger
        )
    }

    private init(
        url: PostgresDatabaseURL, storage: PostgresStorage, ownership: PostgresSessionOwnership, relay: SessionRelay,
        tails: RemoteSessionTails, takeoverInterval: Duration, logger: Logger
    ) {
        self.url = url
        self.storage = storage
        self.ownership = ownership
        self.relay = relay
        self.tails = tails
        self.takeoverInterval = takeoverInterval
        self.logger = logger
    }

    /// Tells the other daemons' readers of a session that it was closed.
    /// - Parameters:
    ///   - chatId: The session, closed here, its last records committed.
    func announceClosed(_ chatId: String) async {
        do {
            try await storage.notifyClosed(chatId)
        } catch {
            // Their readers then stay open on keep-alives until they go; nothing is lost.
            logger.warning("could not announce a closed session", metadata: ["chatId": "\(chatId)", "error": "\(error)"])
        }
    }

    /// Tells the other daemons' change feeds that a session changed here.
    /// - Parameters:
    ///   - chatId: The session.
    ///   - changes: What changed (`SessionChangeFeed.Change` raw values).
    func announceChanges(_ chatId: String, _ changes: [String]) async {
        do {
            try await storage.notifyChanged(SessionChangedNotice(daemon: daemonId, changes: changes, chatId: chatId))
        } catch {
            logger.warning("could not announce a session change", metadata: ["chatId": "\(chatId)", "error": "\(error)"])
        }
    }

    /// Lets every owned session go (their locks close with the connection).
    func close() async {
        await ownership.close()
    }
}
