import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Hears what the other daemons of the cluster announce, on a connection of
/// its own: commits (`LogAppended`) for this daemon's readers of their
/// sessions, requests for sessions this daemon owns, and answers to the
/// requests this daemon relayed. A lost connection is opened again; whatever
/// was announced meanwhile is read from the database then.
struct ClusterListener: Service {
    let cluster: ClusterLink
    let sessions: SessionDirectory

    /// How long to wait before connecting again after the connection failed.
    static let reconnectDelay: Duration = .seconds(1)

    func run() async throws {
        try await cancelWhenGracefulShutdown { await listenUntilCancelled() }
    }

    private func listenUntilCancelled() async {
        var connectionId = 100
        while !Task.isCancelled {
            do {
                connectionId += 1
                try await listen(connectionId: connectionId)
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                cluster.logger.warning("lost the cluster's announcements; connecting again", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: Self.reconnectDelay)
        }
    }

    private func listen(connectionId: Int) async throws {
        let logger = cluster.logger
        let connection = try await PostgresConnection.connect(
            configuration: try cluster.url.connectionConfiguration(), id: connectionId, logger: logger
        )
        defer { Task { try? await connection.close() } }
        // Cancelled (the daemon stops): closing the connection ends the listening.
        try await withTaskCancellationHandler {
            try await connection.listen(on: PostgresStorage.appendsChannel) { appends in
                try await connection.listen(on: PostgresStorage.requestsChannel) { requests in
                    // Listening on both now: what was announced before is in the database.
                    await cluster.tails.refreshAll()
                    await cluster.relay.recheckAll()
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
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
                        group.addTask {
                            for try await notification in requests {
                                switch ClusterRequestNotice(payload: notification.payload) {
                                case .asked(_, let chatId)?: await sessions.serveRelayedRequests(chatId)
                                case .answered(let id)?: await cluster.relay.answered(id)
                                case nil: continue
                                }
                            }
                        }
                        // Either sequence ending means the connection did.
                        try await group.next()
                        group.cancelAll()
                    }
                }
            }
        } onCancel: {
            Task { try? await connection.close() }
        }
    }
}
