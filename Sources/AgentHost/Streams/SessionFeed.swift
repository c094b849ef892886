/// A session's streamed records after a given seq, as one sequence: what storage
/// already holds, a page at a time, then live batches, with no gap and no
/// duplicate (the session reports the seq its live subscription starts after).
/// While it waits for live records it yields `.idle` every `heartbeat`, so a
/// writer can send keep-alive comments and notice a client that went away.
///
/// Nothing is read ahead of the consumer: a replay takes the next page from
/// storage only when the previous one was written, and live batches wait in the
/// reader's bounded `LiveBuffer`, so a reader that stops reading holds one page
/// and at most the buffer's limit. Throws `LiveBuffer.FellBehind` when the
/// reader fell past that limit; the client resumes from the last seq it got.
struct SessionFeed: AsyncSequence, Sendable {
    enum Event: Sendable {
        /// Records in seq order, all newer than anything yielded before.
        case records([LogRecord])
        case idle
    }

    /// Records read from storage per page of a replay.
    static let defaultPageSize = 256

    let chatId: String
    let subscription: LiveSubscription
    let storage: any SessionStorage
    let after: Int64
    let heartbeat: Duration
    let pageSize: Int

    /// - Parameters:
    ///   - chatId: The session.
    ///   - subscription: The session's live records from `subscription.publishedThrough` on.
    ///   - storage: Where the records up to `subscription.publishedThrough` are read.
    ///   - after: The last seq the reader has; the feed starts after it.
    ///   - heartbeat: How often a waiting feed yields `.idle`.
    ///   - pageSize: Records per storage read of a replay.
    static func events(
        chatId: String, subscription: LiveSubscription, storage: any SessionStorage, after: Int64,
        heartbeat: Duration = .seconds(15), pageSize: Int = defaultPageSize
    ) -> SessionFeed {
        SessionFeed(chatId: chatId, subscription: subscription, storage: storage, after: after, heartbeat: heartbeat, pageSize: Swift.max(1, pageSize))
    }

    func makeAsyncIterator() -> Iterator { Iterator(self) }

    /// The reader's position. A class so that its end — the consumer finished or
    /// went away — stops the heartbeat and lets the session forget the reader.
    final class Iterator: AsyncIteratorProtocol {
        private let feed: SessionFeed
        private var sent: Int64
        private let ticker: Task<Void, Never>

        init(_ feed: SessionFeed) {
            self.feed = feed
            sent = feed.after
            ticker = Task { [buffer = feed.subscription.records.buffer, heartbeat = feed.heartbeat] in
                while (try? await Task.sleep(for: heartbeat)) != nil { buffer.tick() }
            }
        }

        deinit {
            ticker.cancel()
            feed.subscription.records.buffer.cancel()
        }

        func next() async throws -> Event? {
            let through = feed.subscription.publishedThrough
            while sent < through {
                let page = try await feed.storage.records(chatId: feed.chatId, after: sent, upTo: through, limit: feed.pageSize)
                guard let last = page.last else {
                    sent = through
                    break
                }
                sent = last.seq
                let streamed = page.filter(\.isStreamed)
                if !streamed.isEmpty { return .records(streamed) }
            }
            while let next = try await feed.subscription.records.next() {
                guard case .records(let batch) = next else { return .idle }
                // A notice repeats the last stored seq: it is new all the same.
                let fresh = batch.filter { $0.seq > sent || $0.isNotice }
                guard let last = fresh.last else { continue }
                sent = Swift.max(sent, last.seq)
                return .records(fresh)
            }
            ticker.cancel()
            return nil
        }
    }
}
