import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Hears what the other daemons of the cluster (and `agent-host deploy
/// --database`) announce, on one connection of its own: commits
/// (`LogAppended`) for this daemon's readers of their sessions, requests for
/// sessions this daemon owns, answers to the requests this daemon relayed, and
/// build decisions, which the registry acts on (`PluginRegistry.syncWithCatalog`:
/// fetch, verify, load, activate). A lost connection is opened again; whatever
/// was announced meanwhile is read from the database then.
struct ClusterListener: Service {
    let cluster: ClusterLink
    let sessions: SessionDirectory
    let registry: PluginRegistry

    /// How long to wait before connecting again after the connection failed.
    static let reconnectDelay: Duration = .seconds(1)

    func run() async throws {
        // Decisions coalesce: a registry behind by several reads them all in one sync.
        let (buildDecisions, decided) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        try await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    // The start-up scan syncs once it is done; decisions heard meanwhile wait here.
                    await registry.startup.wait()
                    for await _ in buildDecisions where !Task.isCancelled { await registry.syncWithCatalog() }
                }
                await listenUntilCancelled(buildDecided: decided)
                decided.finish()
            }
        }
    }

    private func listenUntilCancelled(buildDecided: AsyncStream<Void>.Continuation) async {
        var connectionId = 100
        while !Task.isCancelled {
            do {
                connectionId += 1
                try await listen(connectionId: connectionId, buildDecided: buildDecided)
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                cluster.logger.warning("lost the cluster's announcements; connecting again", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: Self.reconnectDelay)
        }
    }

    private func listen(connectionId: Int, buildDecided: AsyncStream<Void>.Continuation) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: try cluster.url.connectionConfiguration(), id: connectionId, logger: cluster.logger
        )
        defer { Task { try? await connection.close() } }
        // Cancelled (the daemon stops): closing the connection ends the listening.
        try await withTaskCancellationHandler {
            try await connection.listen(on: PostgresStorage.appendsChannel) { appends in
                try await connection.listen(on: PostgresStorage.requestsChannel) { requests in
                    try await connection.listen(on: PostgresStorage.buildsChannel) { builds in
                        // Listening on all three now: what was announced before is in the database.
                        await cluster.tails.refreshAll()
                        await cluster.relay.recheckAll()
                        buildDecided.yield()
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask { try await hearAppends(appends) }
                            group.addTask { try await hearRequests(requests) }
                            group.addTask { for try await _ in builds { buildDecided.yield() } }
                            // Any sequence ending means the connection did.
                            try await group.next()
                            group.cancelAll()
                        }
                    }
                }
            }
        } onCancel: {
            Task { try? await connection.close() }
        }
    }

    private func hearAppends(_ appends: PostgresNotificationSequence) async throws {
        for try await notification in appends {
            if let appended = LogAppended(payload: notification.payload) {
                await cluster.tails.appended(appended)
            } else if let closed = SessionClosedNotice(payload: notification.payload) {
                await cluster.tails.closed(closed.chatId)
            } else if let changed = SessionChangedNotice(payload: notification.payload), changed.daemon != cluster.daemonId {
                sessions.changes.noteFromAnywhere(changed.chatId, Set(changed.changes.compactMap(SessionChangeFeed.Change.init)))
            }
        }
    }

    private func hearRequests(_ requests: PostgresNotificationSequence) async throws {
        for try await notification in requests {
            switch ClusterRequestNotice(payload: notification.payload) {
            case .asked(_, let chatId)?: await sessions.serveRelayedRequests(chatId)
            case .answered(let id)?: await cluster.relay.answered(id)
            case nil: continue
            }
        }
    }
}
