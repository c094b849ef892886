import Foundation
import TestSupport
import Testing
@testable import AgentHost

/// The group commit on a real SQLite file. Batching and failures are observed
/// through `GatedStorage`, the real storage behind a gate the test opens.
@Suite(.timeLimit(.minutes(1))) struct LogWriterTests {
    private static func sqlite() throws -> SQLiteStorage {
        try SQLiteStorage(path: FileManager.default.temporaryDirectory.appendingPathComponent("writer-\(UUID().uuidString).sqlite").path)
    }

    private static func record(_ chatId: String, _ seq: Int64) -> LogRecord {
        LogRecord(chatId: chatId, seq: seq, kind: .output, body: #"{"n":\#(seq)}"#)
    }

    /// Waits until `condition` holds, yielding in between: no fixed sleep.
    @Test func recordsHandedInConcurrentlyAreAllCommitted() async throws {
        let base = try Self.sqlite()
        let storage = GatedStorage(base, gated: false)
        let writer = LogWriter(storage: storage)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for caller in 0..<60 {
                let chatId = "chat-\(caller % 3)"
                let seq = Int64(caller / 3 * 2)
                group.addTask { try await writer.append([Self.record(chatId, seq + 1), Self.record(chatId, seq + 2)]) }
            }
            try await group.waitForAll()
        }
        for chat in 0..<3 {
            #expect(try await base.records(chatId: "chat-\(chat)", after: 0, upTo: nil).map(\.seq) == Array(1...40))
        }
        let batches = await storage.batches
        #expect(batches.map(\.records).reduce(0, +) == 120)
        #expect(batches.count <= 60)
    }

    @Test func callersArrivingDuringACommitShareTheNextTransaction() async throws {
        let base = try Self.sqlite()
        let storage = GatedStorage(base)
        let writer = LogWriter(storage: storage)

        let first = Task { try await writer.append([Self.record("a", 1)]) }
        await storage.waitForTransaction(1)
        let queued = (2...6).map { seq in Task { try await writer.append([Self.record("a", Int64(seq))]) } }
        try await waitUntil { await writer.queuedCallers == 5 }
        // Nothing of the queued callers is written while the first commit runs.
        #expect(try await base.lastSeq(chatId: "a") == 0)

        await storage.open(1)
        try await first.value
        await storage.waitForTransaction(2)
        await storage.open(2)
        for caller in queued { try await caller.value }

        #expect(await storage.batches.map(\.records) == [1, 5])
        #expect(try await base.records(chatId: "a", after: 0, upTo: nil).map(\.seq) == Array(1...6))
    }

    @Test func aFailedBatchIsRetriedCallerByCallerSoOnlyTheFailingCallerFails() async throws {
        let base = try Self.sqlite()
        let storage = GatedStorage(base)
        let writer = LogWriter(storage: storage)

        let first = Task { try await writer.append([Self.record("a", 1)]) }
        await storage.waitForTransaction(1)
        let good = Task { try await writer.append([Self.record("a", 2)]) }
        let bad = Task { try await writer.append([Self.record("b", 1)]) }
        try await waitUntil { await writer.queuedCallers == 2 }
        await storage.open(1)
        try await first.value

        // The shared transaction fails; each caller's records go again alone.
        await storage.waitForTransaction(2)
        let after = Task { try await writer.append([Self.record("a", 3)]) }
        try await waitUntil { await writer.queuedCallers == 1 }
        await storage.open(2, failing: true)
        await storage.waitForTransaction(3)
        await storage.open(3)
        await storage.waitForTransaction(4)
        await storage.open(4, failing: true)
        try await good.value
        await #expect(throws: GatedStorage.Refused.self) { try await bad.value }

        await storage.waitForTransaction(5)
        await storage.open(5)
        try await after.value
        #expect(await storage.batches.map(\.records) == [1, 2, 1, 1, 1])
        #expect(try await base.records(chatId: "a", after: 0, upTo: nil).map(\.seq) == [1, 2, 3])
        #expect(try await base.records(chatId: "b", after: 0, upTo: nil).isEmpty)
    }

    @Test func aDuplicateSeqFailsOnlyItsOwnSessionsWrite() async throws {
        let base = try Self.sqlite()
        try await base.append([Self.record("taken", 1)], statuses: [])
        let storage = GatedStorage(base)
        let writer = LogWriter(storage: storage)
        let first = Task { try await writer.append([Self.record("other", 1)]) }
        await storage.waitForTransaction(1)
        // Queued together: a seq the log already has, and another session's record.
        let duplicate = Task { try await writer.append([Self.record("taken", 1)]) }
        let innocent = Task { try await writer.append([Self.record("other", 2)]) }
        try await waitUntil { await writer.queuedCallers == 2 }
        await storage.open(1)
        for number in 2...4 {
            await storage.waitForTransaction(number)
            await storage.open(number)
        }
        try await first.value
        try await innocent.value
        await #expect(throws: (any Error).self) { try await duplicate.value }
        #expect(try await base.records(chatId: "other", after: 0, upTo: nil).map(\.seq) == [1, 2])
        #expect(try await base.records(chatId: "taken", after: 0, upTo: nil).count == 1)
    }

    @Test func aStatusChangeAloneCommits() async throws {
        let base = try Self.sqlite()
        _ = try await base.createSession(SessionRow(chatId: "a", agent: "x"))
        let storage = GatedStorage(base, gated: false)
        let writer = LogWriter(storage: storage)

        // Nothing to write: no transaction at all.
        try await writer.append([])
        #expect(await storage.batches.isEmpty)

        try await writer.append([], status: StatusChange(chatId: "a", status: .running))
        #expect(try await base.session(chatId: "a")?.status == .running)
        #expect(await storage.batches.map(\.statuses) == [1])
        #expect(await storage.batches.map(\.records) == [0])
    }

    @Test func aStatusChangeTravelsWithItsRecords() async throws {
        let base = try Self.sqlite()
        _ = try await base.createSession(SessionRow(chatId: "a", agent: "x"))
        let storage = GatedStorage(base, gated: false)
        let writer = LogWriter(storage: storage)
        try await writer.append([Self.record("a", 1)], status: StatusChange(chatId: "a", status: .awaitingInput))
        #expect(await storage.batches.count == 1)
        #expect(try await base.session(chatId: "a")?.status == .awaitingInput)
        #expect(try await base.lastSeq(chatId: "a") == 1)
    }
}

/// The real `SQLiteStorage` with a gate in front of its group-commit write:
/// when gated, each transaction waits until the test opens it (and may be told
/// to fail); it records the size of every batch it was handed and every read of records.
actor GatedStorage: SessionStorage {
    struct Refused: Error {}

    struct Batch: Sendable {
        var records: Int
        var statuses: Int
    }

    private let base: SQLiteStorage
    private let gated: Bool
    private(set) var batches: [Batch] = []
    /// The `limit` of every `records` read, in order (nil: unlimited).
    private(set) var recordReads: [Int?] = []
    /// Transactions waiting at the gate, by number (1-based).
    private var held: [Int: CheckedContinuation<Bool, Never>] = [:]
    /// Tests waiting for a transaction to reach the gate.
    private var arrivals: [Int: [CheckedContinuation<Void, Never>]] = [:]

    init(_ base: SQLiteStorage, gated: Bool = true) {
        self.base = base
        self.gated = gated
    }

    func append(_ records: [LogRecord], statuses: [StatusChange]) async throws {
        batches.append(Batch(records: records.count, statuses: statuses.count))
        let number = batches.count
        if gated {
            let fail = await withCheckedContinuation { continuation in
                held[number] = continuation
                for waiter in arrivals.removeValue(forKey: number) ?? [] { waiter.resume() }
            }
            if fail { throw Refused() }
        }
        try await base.append(records, statuses: statuses)
    }

    /// Returns once transaction `number` waits at the gate (or went through).
    func waitForTransaction(_ number: Int) async {
        guard batches.count < number else { return }
        await withCheckedContinuation { arrivals[number, default: []].append($0) }
    }

    /// Lets transaction `number` through, to commit or to fail.
    func open(_ number: Int, failing: Bool = false) {
        held.removeValue(forKey: number)?.resume(returning: failing)
    }

    func createSession(_ row: SessionRow) async throws -> (row: SessionRow, created: Bool) { try await base.createSession(row) }
    func session(chatId: String) async throws -> SessionRow? { try await base.session(chatId: chatId) }
    func children(of parentChatId: String) async throws -> [SessionRow] { try await base.children(of: parentChatId) }
    func listSessions(agent: String?, status: SessionStatus?, limit: Int, after: Int64?) async throws -> [SessionRow] {
        try await base.listSessions(agent: agent, status: status, limit: limit, after: after)
    }
    func records(chatId: String, after: Int64, upTo: Int64?, limit: Int?) async throws -> [LogRecord] {
        recordReads.append(limit)
        return try await base.records(chatId: chatId, after: after, upTo: upTo, limit: limit)
    }
    func lastSeq(chatId: String) async throws -> Int64 { try await base.lastSeq(chatId: chatId) }
    func inputSeq(chatId: String, idempotencyKey: String) async throws -> Int64? {
        try await base.inputSeq(chatId: chatId, idempotencyKey: idempotencyKey)
    }

    func saveSnapshot(_ snapshot: HistorySnapshot) async throws {
        try await base.saveSnapshot(snapshot)
    }

    func snapshot(chatId: String) async throws -> HistorySnapshot? {
        try await base.snapshot(chatId: chatId)
    }
}
