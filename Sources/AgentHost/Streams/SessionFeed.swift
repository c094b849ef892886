/// A session's streamed records after a given seq, as one sequence: what storage
/// already holds, then live records, with no gap and no duplicate (the session
/// reports the seq its live subscription starts after). Between records it
/// yields `.idle` every `heartbeat`, so a writer can send keep-alive comments.
enum SessionFeed {
    enum Event: Sendable {
        case record(LogRecord)
        case idle
    }

    static func events(
        session: Session, storage: any SessionStorage, after: Int64, heartbeat: Duration = .seconds(15)
    ) -> AsyncThrowingStream<Event, any Error> {
        let chatId = session.chatId
        return AsyncThrowingStream { continuation in
            let tick = Task {
                while !Task.isCancelled {
                    try await Task.sleep(for: heartbeat)
                    continuation.yield(.idle)
                }
            }
            let feed = Task {
                do {
                    let (live, publishedThrough) = await session.subscribe()
                    var sent = after
                    if publishedThrough > after {
                        let stored = try await storage.records(chatId: chatId, after: after, upTo: publishedThrough)
                        for record in stored where record.isStreamed {
                            continuation.yield(.record(record))
                        }
                        sent = publishedThrough
                    }
                    for await record in live where record.seq > sent {
                        continuation.yield(.record(record))
                        sent = record.seq
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
