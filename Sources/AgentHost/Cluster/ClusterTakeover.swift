import ServiceLifecycle

/// Every `takeoverInterval`, takes the sessions no live daemon owns that need
/// one — a turn running or inputs waiting when their owner died, or relayed
/// requests nobody answered — and resumes them as a restart would
/// (`data-interrupted`, then the turn from its last checkpoint).
struct ClusterTakeover: Service {
    let cluster: ClusterLink
    let sessions: SessionDirectory

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while (try? await Task.sleep(for: cluster.takeoverInterval)) != nil {
                do {
                    for chatId in try await cluster.storage.sessionsNeedingAnOwner() {
                        await sessions.serveRelayedRequests(chatId)
                    }
                } catch {
                    cluster.logger.warning("could not look for sessions without an owner", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
