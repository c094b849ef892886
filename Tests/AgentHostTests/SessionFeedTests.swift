@testable import AgentHost
import AgentWire
import Foundation
import Synchronization
import TestSupport
import Testing

/// Catch-up-then-live: what storage holds after a seq, then live batches, with
/// no gap and no duplicate, only streamed records, and keep-alive ticks.
@Suite struct SessionFeedTests {
    private func record(_ seq: Int64, _ kind: LogRecord.Kind = .output) -> LogRecord {
        LogRecord(chatId: "f", seq: seq, kind: kind, body: #"{"n":\#(seq)}"#)
    }

    private func storage(with records: [LogRecord]) async throws -> SQLiteStorage {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("feed-\(UUID().uuidString).sqlite").path
        let storage = try SQLiteStorage(path: path)
        try await storage.append(records, statuses: [])
        return storage
    }

    @Test func storedRecordsComeFirstThenLiveOnesWithoutGapOrDuplicate() async throws {
        // Seqs 1–4 are committed (2 is an input, 3 agent state: neither is streamed).
        let storage = try await storage(with: [record(1), record(2, .input), record(3, .state), record(4)])
        let live = LiveBuffer()
        let events = SessionFeed.events(
            chatId: "f", subscription: LiveSubscription(records: LiveReader(live), publishedThrough: 4), storage: storage, after: 0,
            heartbeat: .seconds(3600)
        )
        // A live batch that overlaps what storage gave, then fresh ones.
        _ = live.offer([record(4), record(5)])
        _ = live.offer([record(5)])
        _ = live.offer([record(6, .control)])
        live.finish()
        var seqs: [[Int64]] = []
        for try await event in events {
            if case .records(let batch) = event { seqs.append(batch.map(\.seq)) }
        }
        #expect(seqs == [[1, 4], [5], [6]])
    }

    @Test func aResumeAfterTheLastPublishedSeqReadsNothingFromStorage() async throws {
        let storage = try await storage(with: [record(1), record(2)])
        let live = LiveBuffer()
        let events = SessionFeed.events(
            chatId: "f", subscription: LiveSubscription(records: LiveReader(live), publishedThrough: 2), storage: storage, after: 2,
            heartbeat: .seconds(3600)
        )
        _ = live.offer([record(3)])
        live.finish()
        var seqs: [Int64] = []
        for try await event in events {
            if case .records(let batch) = event { seqs += batch.map(\.seq) }
        }
        #expect(seqs == [3])
    }

    @Test func aQuietStreamTicksForKeepAlives() async throws {
        let storage = try await storage(with: [])
        let live = LiveBuffer()
        defer { live.finish() }
        let events = SessionFeed.events(
            chatId: "f", subscription: LiveSubscription(records: LiveReader(live), publishedThrough: 0), storage: storage, after: 0,
            heartbeat: .milliseconds(5)
        )
        var ticks = 0
        for try await event in events {
            guard case .idle = event else {
                Issue.record("a feed with nothing stored or live yielded \(event)")
                break
            }
            ticks += 1
            if ticks == 3 { break }
        }
        #expect(ticks == 3)
    }

    @Test func aReplayReadsTheNextPageOnlyWhenTheLastWasTaken() async throws {
        let base = try await storage(with: (1...10).map { record($0) })
        let storage = GatedStorage(base, gated: false)
        let live = LiveBuffer()
        let feed = SessionFeed.events(
            chatId: "f", subscription: LiveSubscription(records: LiveReader(live), publishedThrough: 10), storage: storage, after: 0,
            heartbeat: .seconds(3600), pageSize: 4
        )
        let events = feed.makeAsyncIterator()
        var pages: [[Int64]] = []
        guard case .records(let first)? = try await events.next() else { throw TestFailure("no first page") }
        pages.append(first.map(\.seq))
        // A reader that stops here has cost one page.
        #expect(await storage.recordReads == [4])
        while pages.joined().count < 10, case .records(let page)? = try await events.next() { pages.append(page.map(\.seq)) }
        #expect(pages == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]])
        #expect(await storage.recordReads == [4, 4, 4])
        live.finish()
        #expect(try await events.next() == nil)
    }

    @Test func aReaderThatFallsPastTheLimitIsDroppedAndToldWhy() async throws {
        let live = LiveBuffer(limitBytes: 1000)
        // 201 bytes a record with the overhead: four fit, the fifth does not.
        let body = String(repeating: "x", count: 137)
        let batch = { (seq: Int64) in [LogRecord(chatId: "f", seq: seq, kind: .output, body: body)] }
        #expect((1...4).allSatisfy { live.offer(batch($0)) })
        #expect(!live.offer(batch(5)))
        // Dropped for good: later batches are refused, and the reader learns it fell behind.
        #expect(!live.offer(batch(6)))
        await #expect(throws: LiveBuffer.FellBehind.self) { try await live.next() }
    }

    @Test func aReaderStoppedForShutdownTakesWhatWasBufferedThenHearsTheDaemonStops() async throws {
        let live = LiveBuffer()
        #expect(live.offer([record(1), record(2)]))
        #expect(live.offer([record(3)]))
        live.stopForShutdown()
        // Nothing more comes in; what was sent before still goes out, then the drop (not a clean end).
        #expect(!live.offer([record(4)]))
        var taken: [Int64] = []
        while case .records(let batch)? = try? await live.next() { taken += batch.map(\.seq) }
        #expect(taken == [1, 2, 3])
        await #expect(throws: LiveBuffer.DaemonStopping.self) { try await live.next() }
    }

    @Test func aReaderThatKeepsUpIsNeverDropped() async throws {
        let live = LiveBuffer(limitBytes: 1000)
        let body = String(repeating: "x", count: 500)
        var taken: [Int64] = []
        for seq in Int64(1)...50 {
            // One batch alone may pass the limit; taking each keeps the reader in.
            #expect(live.offer([LogRecord(chatId: "f", seq: seq, kind: .output, body: body)]))
            guard case .records(let batch)? = try await live.next() else { throw TestFailure("no batch") }
            taken += batch.map(\.seq)
        }
        #expect(taken == Array(1...50))
    }

    @Test func aFeedThatGoesAwayCancelsItsSubscription() async throws {
        let storage = try await storage(with: [])
        let cancelled = Mutex(0)
        let live = LiveBuffer { cancelled.withLock { $0 += 1 } }
        do {
            let feed = SessionFeed.events(
                chatId: "f", subscription: LiveSubscription(records: LiveReader(live), publishedThrough: 0), storage: storage, after: 0,
                heartbeat: .seconds(3600)
            )
            let events = feed.makeAsyncIterator()
            _ = live.offer([record(1)])
            guard case .records? = try await events.next() else { throw TestFailure("no batch") }
        }
        // The iterator is gone: the session is told once, and the buffer holds nothing more.
        #expect(cancelled.withLock { $0 } == 1)
        #expect(live.offer([record(2)]))
        #expect(try await live.next() == nil)
    }
}
