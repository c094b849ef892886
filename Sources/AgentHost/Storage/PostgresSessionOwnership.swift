import Logging
import PostgresNIO

/// Which sessions this daemon owns — runs the turns of — among the daemons on
/// one database: a PostgreSQL advisory lock per session, held on a connection
/// of its own.
///
/// The lock lives as long as that connection: a daemon that exits, is killed
/// or loses the network loses its connection, the server drops its locks, and
/// another daemon's `tryAcquire` succeeds — no lease to renew, no clock to
/// trust. The connection is not the pool's: a pooled connection goes back to
/// other work holding whatever locks it took.
public actor PostgresSessionOwnership {
    private var connection: PostgresConnection
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    /// Sessions whose lock this connection holds. PostgreSQL counts a lock taken
    /// twice, and it would need two unlocks: taking an owned one again is a no-op.
    private var owned: Set<String> = []
    /// Called when the connection breaks while open: every lock went with it.
    private var onLost: (@Sendable () async -> Void)?
    private var closing = false
    private var connections = 1

    /// Opens the connection that will hold this daemon's locks.
    /// - Parameters:
    ///   - url: The database every daemon of the cluster uses.
    ///   - logger: For the connection.
    public static func connect(url: PostgresDatabaseURL, logger: Logger) async throws -> PostgresSessionOwnership {
        let configuration = try url.connectionConfiguration()
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        let ownership = PostgresSessionOwnership(connection: connection, configuration: configuration, logger: logger)
        await ownership.watch(connection)
        return ownership
    }

    private init(connection: PostgresConnection, configuration: PostgresConnection.Configuration, logger: Logger) {
        self.connection = connection
        self.configuration = configuration
        self.logger = logger
    }

    /// Sets what to do when the connection breaks (the daemon then stops
    /// running the sessions it owned: another daemon may take them at once).
    /// - Parameters:
    ///   - handler: Called once per broken connection.
    public func onConnectionLost(_ handler: @escaping @Sendable () async -> Void) {
        onLost = handler
    }

    private func watch(_ watched: PostgresConnection) {
        watched.closeFuture.whenComplete { _ in
            Task { await self.connectionClosed(watched) }
        }
    }

    private func connectionClosed(_ closed: PostgresConnection) async {
        guard closed === connection, !closing else { return }
        let lost = owned.count
        owned.removeAll()
        logger.error("lost the connection holding this daemon's session locks; its sessions are let go", metadata: ["sessions": "\(lost)"])
        await onLost?()
    }

    /// The lock connection, opened again if it broke.
    private func liveConnection() async throws -> PostgresConnection {
        guard connection.isClosed, !closing else { return connection }
        connections += 1
        let fresh = try await PostgresConnection.connect(configuration: configuration, id: connections, logger: logger)
        connection = fresh
        watch(fresh)
        return fresh
    }

    /// Takes the session if no daemon owns it, without waiting.
    /// - Parameters:
    ///   - chatId: The session.
    /// - Returns: true when this daemon owns it now (also when it did already).
    public func tryAcquire(_ chatId: String) async throws -> Bool {
        if owned.contains(chatId) { return true }
        // hashtextextended: the session's 64-bit lock key, computed by the server
        // the same way for every daemon.
        let taken = try await boolean("SELECT pg_try_advisory_lock(hashtextextended(\(chatId), 0))")
        if taken { owned.insert(chatId) }
        return taken
    }

    /// Lets the session go (it went idle, or this daemon is shutting down).
    /// - Parameters:
    ///   - chatId: A session this daemon owns; any other is ignored.
    public func release(_ chatId: String) async throws {
        guard owned.remove(chatId) != nil else { return }
        _ = try await boolean("SELECT pg_advisory_unlock(hashtextextended(\(chatId), 0))")
    }

    /// The sessions this daemon owns.
    public var sessions: Set<String> { owned }

    /// Closes the connection: every lock it held is released by the server.
    public func close() async {
        closing = true
        owned.removeAll()
        try? await connection.close()
    }

    private func boolean(_ query: PostgresQuery) async throws -> Bool {
        var result = false
        for try await value in try await liveConnection().query(query, logger: logger).decode(Bool.self) { result = value }
        return result
    }
}

extension PostgresSessionOwnership: SessionOwnership {
    func claim(_ chatId: String) async throws -> Bool {
        try await tryAcquire(chatId)
    }

    func giveUp(_ chatId: String) async {
        do {
            try await release(chatId)
        } catch {
            // The lock goes with the connection if it is broken; nothing else holds it.
            logger.warning("could not release a session's ownership lock", metadata: ["chatId": "\(chatId)", "error": "\(error)"])
        }
    }
}
