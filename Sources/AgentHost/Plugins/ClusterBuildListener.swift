import Logging
import ServiceLifecycle

/// Hears every build decision made anywhere in the cluster (a build published
/// by another daemon or by `agent-host deploy --database`, a rollback) and has
/// the registry act on it (`PluginRegistry.syncWithCatalog`): fetch, verify,
/// load, activate. A lost connection is listened on again after a pause, with
/// a sync first, so a decision made meanwhile is not missed.
struct ClusterBuildListener: Service {
    let catalog: any SharedBuildCatalog
    let registry: PluginRegistry
    let logger: Logger
    /// How long to wait before listening again after the connection was lost.
    var retryDelay: Duration = .seconds(1)

    /// The listener a daemon on `catalog` runs: one for a shared catalog, none otherwise.
    /// - Parameters:
    ///   - catalog: The daemon's catalog.
    ///   - registry: Whose builds follow the decisions.
    ///   - logger: For lost connections.
    static func forCatalog(_ catalog: any BuildCatalog, registry: PluginRegistry, logger: Logger) -> [any Service] {
        guard let shared = catalog as? any SharedBuildCatalog else { return [] }
        return [ClusterBuildListener(catalog: shared, registry: registry, logger: logger)]
    }

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await catalog.withBuildDecisions { signals in
                        // The start-up scan syncs once it is done; decisions heard meanwhile wait in `signals`.
                        await registry.startup.wait()
                        // Listening now: anything decided before is read here, anything after is signalled.
                        await registry.syncWithCatalog()
                        for await _ in signals { await registry.syncWithCatalog() }
                    }
                } catch {
                    guard !Task.isCancelled else { return }
                    logger.error("lost the build decisions channel; listening again", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: retryDelay)
            }
        }
    }
}
