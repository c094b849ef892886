@testable import AgentHost
import Foundation
import Testing

/// The `SessionStorage` contract, checked the same way on every backend:
/// what the daemon relies on must not depend on which database it runs on.
@Suite struct StorageConformanceTests {
    @Test(arguments: StorageBackend.allCases)
    func sessionsAreCreatedOnceLearnTheirIdAndPageInOrder(_ backend: StorageBackend) async throws {
        try await backend.withStorage { storage in
            let first = try await storage.createSession(SessionRow(chatId: "a", agent: "x", clientData: #"{"plan":"pro"}"#))
            let second = try await storage.createSession(SessionRow(chatId: "b", agent: "y", status: .running, metadata: "{}"))
            let again = try await storage.createSession(SessionRow(chatId: "a", agent: "z"))
            #expect(first.created && second.created && !again.created)
            #expect(again.row.agent == "x")
            #expect(again.row.clientData == #"{"plan":"pro"}"#)
            let firstId = try #require(first.row.id)
            let secondId = try #require(second.row.id)
            #expect(secondId > firstId)
            #expect(again.row.id == firstId)
            #expect(try await storage.session(chatId: "a")?.id == firstId)
            #expect(try await storage.session(chatId: "b")?.metadata == "{}")
            #expect(try await storage.session(chatId: "missing") == nil)
            #expect(try await storage.listSessions(agent: nil, status: nil, limit: 10, after: nil).map(\.chatId) == ["a", "b"])
            #expect(try await storage.listSessions(agent: nil, status: nil, limit: 10, after: firstId).map(\.chatId) == ["b"])
            #expect(try await storage.listSessions(agent: "x", status: nil, limit: 10, after: nil).map(\.chatId) == ["a"])
            #expect(try await storage.listSessions(agent: nil, status: .running, limit: 10, after: nil).map(\.chatId) == ["b"])
            #expect(try await storage.listSessions(agent: nil, status: nil, limit: 1, after: nil).map(\.chatId) == ["a"])
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func concurrentCreatesOfOneChatMakeOneSession(_ backend: StorageBackend) async throws {
        try await backend.withStorage { storage in
            let created = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<8 {
                    group.addTask { try await storage.createSession(SessionRow(chatId: "same", agent: "agent-\(index)")).created }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(created.filter { $0 }.count == 1)
            #expect(try await storage.listSessions(agent: nil, status: nil, limit: 10, after: nil).count == 1)
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func groupCommittedRecordsComeBackInSeqOrderByRangeAndPage(_ backend: StorageBackend) async throws {
        try await backend.withStorage { storage in
            let writer = LogWriter(storage: storage)
            // Many concurrent appends: each returns only once committed, all land.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for seq in 1...200 {
                    group.addTask {
                        try await writer.append([LogRecord(chatId: "a", seq: Int64(seq), kind: .output, body: "{\"n\":\(seq)}")])
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await storage.lastSeq(chatId: "a") == 200)
            #expect(try await storage.lastSeq(chatId: "b") == 0)
            let middle = try await storage.records(chatId: "a", after: 10, upTo: 20)
            #expect(middle.map(\.seq) == Array(11...20))
            #expect(middle.first?.body == "{\"n\":11}")
            #expect(try await storage.records(chatId: "a", after: 190, upTo: nil).map(\.seq) == Array(191...200))
            // Pages: the first `limit` records after the cursor, bounded by upTo.
            #expect(try await storage.records(chatId: "a", after: 0, upTo: nil, limit: 3).map(\.seq) == [1, 2, 3])
            #expect(try await storage.records(chatId: "a", after: 3, upTo: 5, limit: 10).map(\.seq) == [4, 5])
            #expect(try await storage.records(chatId: "b", after: 0, upTo: nil).isEmpty)
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func recordsKeepEveryField(_ backend: StorageBackend) async throws {
        try await backend.withStorage { storage in
            let at = Date(timeIntervalSince1970: 1_800_000_000.25)
            let written = [
                LogRecord(chatId: "a", seq: 1, kind: .input, body: #"{"text":"héllo ✓ \n \"quoted\""}"#, idempotencyKey: "k1", createdAt: at),
                LogRecord(chatId: "a", seq: 2, kind: .output, body: #"{"type":"text-delta"}"#, createdAt: at),
                LogRecord(chatId: "a", seq: 3, kind: .control, body: "{}", createdAt: at),
                LogRecord(chatId: "a", seq: 4, kind: .state, body: #"{"version":1,"state":null}"#, createdAt: at),
            ]
            try await storage.append(written, statuses: [])
            let read = try await storage.records(chatId: "a", after: 0, upTo: nil)
            #expect(read.map(\.kind) == written.map(\.kind))
            #expect(read.map(\.body) == written.map(\.body))
            #expect(read.map(\.idempotencyKey) == written.map(\.idempotencyKey))
            // Millisecond precision at least, on both (SQLite stores text, PostgreSQL microseconds).
            #expect(read.allSatisfy { abs($0.createdAt.timeIntervalSince(at)) < 0.001 })
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func aGroupLargerThanOneStatementCommitsWhole(_ backend: StorageBackend) async throws {
        try await backend.withStorage { storage in
            let count = PostgresStorage.rowsPerInsert * 2 + 17
            let records = (1...count).map { LogRecord(chatId: "big", seq: Int64($0), kind: .output, body: "{\"n\":\($0)}") }
            try await storage.append(records, statuses: [])
            #expect(try await storage.lastSeq(chatId: "big") == Int64(count))
            #expect(try await storage.records(chatId: "big", after: 0, upTo: nil).map(\.seq) == (1...count).map(Int64.init))
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func aSeqTakenTwiceIsRefusedAndItsTransactionWritesNothing(_ backend: StorageBackend) async throws {
        try await backend.withStorage { storage in
            _ = try await storage.createSession(SessionRow(chatId: "a", agent: "x"))
            _ = try await storage.createSession(SessionRow(chatId: "b", agent: "x"))
            try await storage.append([LogRecord(chatId: "a", seq: 1, kind: .output, body: "{\"first\":true}")], statuses: [])
            await #expect(throws: (any Error).self) {
                try await storage.append(
                    [
                        LogRecord(chatId: "b", seq: 1, kind: .output, body: "{}"),
                        LogRecord(chatId: "a", seq: 1, kind: .output, body: "{\"second\":true}"),
                    ],
                    statuses: [StatusChange(chatId: "a", status: .closed), StatusChange(chatId: "b", status: .running)]
                )
            }
            // Nothing of the failed transaction: not b's record, not the statuses; a's first record intact.
            #expect(try await storage.records(chatId: "a", after: 0, upTo: nil).map(\.body) == ["{\"first\":true}"])
            #expect(try await storage.lastSeq(chatId: "b") == 0)
            #expect(try await storage.session(chatId: "a")?.status == .idle)
            #expect(try await storage.session(chatId: "b")?.status == .idle)
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func statusChangesCommitWithTheRecords(_ backend: StorageBackend) async throws {
        try await backend.withStorage { storage in
            let before = try await storage.createSession(SessionRow(chatId: "a", agent: "x")).row.updatedAt
            _ = try await storage.createSession(SessionRow(chatId: "b", agent: "x"))
            let at = before.addingTimeInterval(5)
            try await storage.append(
                [LogRecord(chatId: "a", seq: 1, kind: .input, body: "{}")],
                statuses: [StatusChange(chatId: "a", status: .running, at: at), StatusChange(chatId: "b", status: .awaitingInput, at: at)]
            )
            let a = try #require(try await storage.session(chatId: "a"))
            #expect(a.status == .running)
            #expect(abs(a.updatedAt.timeIntervalSince(at)) < 0.001)
            #expect(try await storage.session(chatId: "b")?.status == .awaitingInput)
            // A status alone is a transaction too.
            try await storage.append([], statuses: [StatusChange(chatId: "a", status: .closed)])
            #expect(try await storage.session(chatId: "a")?.status == .closed)
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func idempotencyKeysAreUniquePerSession(_ backend: StorageBackend) async throws {
        try await backend.withStorage { storage in
            _ = try await storage.createSession(SessionRow(chatId: "a", agent: "x"))
            try await storage.append(
                [LogRecord(chatId: "a", seq: 1, kind: .input, body: "{}", idempotencyKey: "k")],
                statuses: [StatusChange(chatId: "a", status: .running)]
            )
            #expect(try await storage.inputSeq(chatId: "a", idempotencyKey: "k") == 1)
            #expect(try await storage.inputSeq(chatId: "a", idempotencyKey: "other") == nil)
            #expect(try await storage.inputSeq(chatId: "b", idempotencyKey: "k") == nil)
            await #expect(throws: (any Error).self) {
                try await storage.append(
                    [LogRecord(chatId: "a", seq: 2, kind: .input, body: "{}", idempotencyKey: "k")],
                    statuses: [StatusChange(chatId: "a", status: .closed)]
                )
            }
            #expect(try await storage.lastSeq(chatId: "a") == 1)
            #expect(try await storage.session(chatId: "a")?.status == .running)
            // The same key in another session is another input; records without keys never clash.
            try await storage.append(
                [
                    LogRecord(chatId: "b", seq: 1, kind: .input, body: "{}", idempotencyKey: "k"),
                    LogRecord(chatId: "a", seq: 2, kind: .output, body: "{}"),
                    LogRecord(chatId: "a", seq: 3, kind: .output, body: "{}"),
                ],
                statuses: []
            )
            #expect(try await storage.inputSeq(chatId: "b", idempotencyKey: "k") == 1)
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func theNewestSnapshotIsKept(_ backend: StorageBackend) async throws {
        try await backend.withStorage { storage in
            #expect(try await storage.snapshot(chatId: "a") == nil)
            let bytes = Data([0, 1, 2, 255, 0x7B])
            try await storage.saveSnapshot(HistorySnapshot(chatId: "a", throughSeq: 10, body: bytes))
            try await storage.saveSnapshot(HistorySnapshot(chatId: "a", throughSeq: 5, body: Data("older".utf8)))
            #expect(try await storage.snapshot(chatId: "a")?.throughSeq == 10)
            #expect(try await storage.snapshot(chatId: "a")?.body == bytes)
            try await storage.saveSnapshot(HistorySnapshot(chatId: "a", throughSeq: 12, body: Data("newer".utf8)))
            #expect(try await storage.snapshot(chatId: "a")?.body == Data("newer".utf8))
            #expect(try await storage.snapshot(chatId: "b") == nil)
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func childrenAreTheSubAgentSessionsInCreationOrder(_ backend: StorageBackend) async throws {
        try await backend.withStorage { storage in
            _ = try await storage.createSession(SessionRow(chatId: "parent", agent: "x"))
            _ = try await storage.createSession(SessionRow(chatId: "c2", agent: "y", parentChatId: "parent", toolCallId: "call-1"))
            _ = try await storage.createSession(SessionRow(chatId: "other", agent: "y", parentChatId: "someone-else"))
            _ = try await storage.createSession(SessionRow(chatId: "c1", agent: "z", parentChatId: "parent"))
            let children = try await storage.children(of: "parent")
            #expect(children.map(\.chatId) == ["c2", "c1"])
            #expect(children.map(\.toolCallId) == ["call-1", nil])
            #expect(children.allSatisfy { $0.parentChatId == "parent" })
            #expect(try await storage.children(of: "c1").isEmpty)
        }
    }
}
