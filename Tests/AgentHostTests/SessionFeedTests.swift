@testable import AgentHost
import AgentWire
import Foundation
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
        let (live, continuation) = AsyncStream.makeStream(of: [LogRecord].self)
        let events = SessionFeed.events(
            chatId: "f", subscription: LiveSubscription(records: live, publishedThrough: 4), storage: storage, after: 0,
            heartbeat: .seconds(3600)
        )
        // A live batch that overlaps what storage gave, then fresh ones.
        continuation.yield([record(4), record(5)])
        continuation.yield([record(5)])
        continuation.yield([record(6, .control)])
        continuation.finish()
        var seqs: [[Int64]] = []
        for try await event in events {
            if case .records(let batch) = event { seqs.append(batch.map(\.seq)) }
        }
        #expect(seqs == [[1, 4], [5], [6]])
    }

    @Test func aResumeAfterTheLastPublishedSeqReadsNothingFromStorage() async throws {
        let storage = try await storage(with: [record(1), record(2)])
        let (live, continuation) = AsyncStream.makeStream(of: [LogRecord].self)
        let events = SessionFeed.events(
            chatId: "f", subscription: LiveSubscription(records: live, publishedThrough: 2), storage: storage, after: 2,
            heartbeat: .seconds(3600)
        )
        continuation.yield([record(3)])
        continuation.finish()
        var seqs: [Int64] = []
        for try await event in events {
            if case .records(let batch) = event { seqs += batch.map(\.seq) }
        }
        #expect(seqs == [3])
    }

    @Test func aQuietStreamTicksForKeepAlives() async throws {
        let storage = try await storage(with: [])
        let (live, continuation) = AsyncStream.makeStream(of: [LogRecord].self)
        defer { continuation.finish() }
        let events = SessionFeed.events(
            chatId: "f", subscription: LiveSubscription(records: live, publishedThrough: 0), storage: storage, after: 0,
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
}
