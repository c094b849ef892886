/// A session's streamed records after a given seq, as one sequence: what storage
/// already holds, then live batches, with no gap and no duplicate (the session
/// reports the seq its live subscription starts after). Between batches it
/// yields `.idle` every `heartbeat`, so a writer can send keep-alive comments
/// and notice a client that went away.
enum SessionFeed {
    enum Event: Sendable {
        /// Records in seq order, all newer than anything yielded before.
        case records([LogRecord])
        case idle
    }

    static func events(
        chatId: String, subscription: LiveSubscription, storage: any SessionStorage, after: Int64,
        heartbeat: Duration = .seconds(15)
    ) -> AsyncThrowingStream<Event, any Error> {
        AsyncThrowingStream { continuation in
            let tick = Task {
                while !Task.isCancelled {
                    try await Task.sleep(for: heartbeat)
                    continuation.yield(.idle)
                }
            }
            let feed = Task {
                do {
                    var sent = after
                    if subscription.publishedThrough > after {
                        let stored = try await storage.records(chatId: chatId, after: after, upTo: subscription.publishedThrough)
                        continuation.yield(.records(stored.filter(\.isStreamed)))
                        sent = subscription.publishedThrough
                    }
                    for await batch in subscription.records {
                        let fresh = batch.filter { $0.seq > sent }
                        guard let last = fresh.last else { continue }
                        continuation.yield(.records(fresh))
                        sent = last.seq
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in
                feed.cancel()
                tick.cancel()
            }
        }
    }
}
