import Logging

/// The session store a daemon runs on, and how to let it go at exit.
struct OpenedStorage: Sendable {
    let storage: any SessionStorage
    /// Where the activation decision is kept: the same database.
    let catalog: any BuildCatalog
    /// What the banner says about it: the SQLite path, or the URL without its password.
    let location: String
    /// Closes what the store holds open (PostgreSQL's pool); SQLite needs nothing.
    let close: @Sendable () async -> Void
    /// On PostgreSQL: what makes this daemon one of a cluster on that database.
    var cluster: ClusterLink?
}

extension DaemonConfiguration {
    /// Opens the configured store: PostgreSQL when `databaseURL` names one
    /// (schema migrated before this returns), else the SQLite file in the data
    /// directory. The load journal, the plugin store and uploaded files stay in
    /// the data directory either way.
    /// - Parameters:
    ///   - logger: For the store's start-up and background events.
    func openStorage(logger: Logger) async throws -> OpenedStorage {
        guard let databaseURL else {
            let storage = try SQLiteStorage(path: databasePath, logger: logger, faults: StorageFaultInjection(environment: environment))
            return OpenedStorage(storage: storage, catalog: storage, location: databasePath, close: {})
        }
        let url = try PostgresDatabaseURL(databaseURL, environment: environment)
        let storage = try await PostgresStorage.connect(url: url, logger: logger)
        let cluster = try await ClusterLink.connect(
            url: url, storage: storage, takeoverInterval: takeoverInterval, relayTimeout: relayTimeout,
            readerBufferBytes: readerBufferBytes, logger: logger
        )
        return OpenedStorage(
            storage: storage, catalog: storage, location: url.redacted,
            close: {
                await cluster.close()
                await storage.shutdown()
            },
            cluster: cluster
        )
    }
}
