import Foundation
import Logging

/// Live readers on this daemon of sessions another daemon owns.
///
/// The owner announces every commit (`LogAppended`, by NOTIFY inside the
/// commit's transaction); for each session with readers here, one tail reads
/// the new records from the database — one query per announcement and
/// session, whatever the number of readers — and offers them to every reader's
/// bounded `LiveBuffer`, as the owner's session does for its own readers.
/// A reader's `SessionFeed` joins that with storage: stored records up to
/// `publishedThrough`, then live, with no gap and no duplicate.
actor RemoteSessionTails {
    private struct Tail {
        /// Every record through this seq was offered to the readers (or was in
        /// storage when they subscribed).
        var published: Int64
        /// The last seq announced: what `published` catches up to.
        var announced: Int64
        var readers: [UUID: LiveBuffer] = [:]
        var catchingUp = false
        /// The owner closed the session: readers end once they have every record.
        var closed = false
    }

    private let storage: any SessionStorage
    private let readerBufferBytes: Int
    private let logger: Logger
    private var tails: [String: Tail] = [:]
    /// Records read from the database per query while a tail catches up.
    static let pageSize = 512

    /// - Parameters:
    ///   - storage: The shared database.
    ///   - readerBufferBytes: How far a reader may fall behind (`LiveBuffer`).
    ///   - logger: For readers dropped and reads that fail.
    init(storage: any SessionStorage, readerBufferBytes: Int, logger: Logger) {
        self.storage = storage
        self.readerBufferBytes = readerBufferBytes
        self.logger = logger
    }

    /// A reader's live view of a session another daemon owns.
    /// - Parameters:
    ///   - chatId: The session.
    func subscribe(_ chatId: String) async throws -> LiveSubscription {
        if tails[chatId] == nil {
            let last = try await storage.lastSeq(chatId: chatId)
            // Another reader may have opened the tail while this one read.
            if tails[chatId] == nil { tails[chatId] = Tail(published: last, announced: last) }
        }
        let id = UUID()
        let buffer = LiveBuffer(limitBytes: readerBufferBytes) { Task { await self.unsubscribe(id, chatId: chatId) } }
        tails[chatId]?.readers[id] = buffer
        let published = tails[chatId]?.published ?? 0
        // An append committed between reading the last seq and this tail's
        // existence was announced to nobody: look once more.
        refresh(chatId)
        return LiveSubscription(records: LiveReader(buffer), publishedThrough: published)
    }

    /// An owner committed records of a session through `lastSeq`.
    func appended(_ appended: LogAppended) {
        guard let tail = tails[appended.chatId] else { return }
        tails[appended.chatId]?.announced = max(tail.announced, appended.lastSeq)
        startCatchingUp(appended.chatId)
    }

    /// The owner closed the session after committing its last records: readers
    /// get those (the announcement of the last append came first), then end.
    func closed(_ chatId: String) {
        guard tails[chatId] != nil else { return }
        tails[chatId]?.closed = true
        finishIfClosed(chatId)
    }

    /// Reads every tail's last seq again: after the announcements' connection
    /// was lost, whatever was committed meanwhile was announced to nobody.
    func refreshAll() {
        for chatId in tails.keys { refresh(chatId) }
    }

    /// Ends every reader's stream for a daemon shutdown (they resume on another daemon).
    func stopReadersForShutdown() {
        for tail in tails.values {
            for reader in tail.readers.values { reader.stopForShutdown() }
        }
        tails.removeAll()
    }

    var readerCount: Int { tails.values.reduce(0) { $0 + $1.readers.count } }

    private func refresh(_ chatId: String) {
        Task {
            guard let last = try? await storage.lastSeq(chatId: chatId) else { return }
            appended(LogAppended(chatId: chatId, lastSeq: last))
        }
    }

    private func unsubscribe(_ id: UUID, chatId: String) {
        tails[chatId]?.readers[id] = nil
        if tails[chatId]?.readers.isEmpty == true, tails[chatId]?.catchingUp == false { tails[chatId] = nil }
    }

    private func startCatchingUp(_ chatId: String) {
        guard let tail = tails[chatId], !tail.catchingUp, tail.published < tail.announced else { return }
        tails[chatId]?.catchingUp = true
        Task { await catchUp(chatId) }
    }

    /// Reads and offers records until the tail has what was announced. One
    /// catch-up per tail at a time, so batches reach readers in seq order.
    private func catchUp(_ chatId: String) async {
        while let tail = tails[chatId], tail.published < tail.announced {
            let page: [LogRecord]
            do {
                page = try await storage.records(chatId: chatId, after: tail.published, upTo: tail.announced, limit: Self.pageSize)
            } catch {
                logger.warning("could not read another daemon's records", metadata: ["chatId": "\(chatId)", "error": "\(error)"])
                break
            }
            guard let last = page.last else { break }
            tails[chatId]?.published = last.seq
            offer(page.filter(\.isStreamed), chatId: chatId)
        }
        tails[chatId]?.catchingUp = false
        finishIfClosed(chatId)
        if tails[chatId]?.readers.isEmpty == true { tails[chatId] = nil }
    }

    /// Ends a closed session's readers once nothing announced is left to read.
    private func finishIfClosed(_ chatId: String) {
        guard let tail = tails[chatId], tail.closed, !tail.catchingUp, tail.published >= tail.announced else { return }
        for reader in tail.readers.values { reader.finish() }
        tails[chatId] = nil
    }

    private func offer(_ streamed: [LogRecord], chatId: String) {
        guard !streamed.isEmpty, let readers = tails[chatId]?.readers else { return }
        for (id, reader) in readers where !reader.offer(streamed) {
            tails[chatId]?.readers[id] = nil
            logger.notice("dropped a reader that fell behind", metadata: ["chatId": "\(chatId)", "limitBytes": "\(reader.limitBytes)"])
        }
    }
}
