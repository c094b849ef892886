@testable import AgentHost
import Foundation
import Testing

/// The SQLite log and the group-commit writer, on a real file.
@Suite struct StorageTests {
    private func storage() throws -> SQLiteStorage {
        try SQLiteStorage(path: FileManager.default.temporaryDirectory.appendingPathComponent("log-\(UUID().uuidString).sqlite").path)
    }

    @Test func sessionsAreCreatedOnce() async throws {
        let storage = try storage()
        let first = try await storage.createSession(SessionRow(chatId: "a", agent: "x"))
        let second = try await storage.createSession(SessionRow(chatId: "a", agent: "y"))
        #expect(first.created)
        #expect(!second.created)
        #expect(second.row.agent == "x")
        try await storage.append([], statuses: [StatusChange(chatId: "a", status: .closed)])
        #expect(try await storage.session(chatId: "a")?.status == .closed)
    }

    @Test func recordsComeBackInSeqOrderByRange() async throws {
        let storage = try storage()
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
        let middle = try await storage.records(chatId: "a", after: 10, upTo: 20)
        #expect(middle.map(\.seq) == Array(11...20))
        #expect(middle.first?.body == "{\"n\":11}")
        #expect(try await storage.records(chatId: "b", after: 0, upTo: nil).isEmpty)
    }

    @Test func idempotencyKeysAreUniquePerSession() async throws {
        let storage = try storage()
        _ = try await storage.createSession(SessionRow(chatId: "a", agent: "x"))
        try await storage.append(
            [LogRecord(chatId: "a", seq: 1, kind: .input, body: "{}", idempotencyKey: "k")],
            statuses: [StatusChange(chatId: "a", status: .running)]
        )
        #expect(try await storage.inputSeq(chatId: "a", idempotencyKey: "k") == 1)
        #expect(try await storage.inputSeq(chatId: "b", idempotencyKey: "k") == nil)
        #expect(try await storage.session(chatId: "a")?.status == .running)
        await #expect(throws: (any Error).self) {
            try await storage.append(
                [LogRecord(chatId: "a", seq: 2, kind: .input, body: "{}", idempotencyKey: "k")],
                statuses: [StatusChange(chatId: "a", status: .closed)]
            )
        }
        // The failed transaction wrote nothing: no record, no status change.
        #expect(try await storage.lastSeq(chatId: "a") == 1)
        #expect(try await storage.session(chatId: "a")?.status == .running)
    }

    @Test func insertedSessionsLearnTheirIdAndPageInOrder() async throws {
        let storage = try storage()
        let first = try await storage.createSession(SessionRow(chatId: "a", agent: "x"))
        let second = try await storage.createSession(SessionRow(chatId: "b", agent: "y", status: .running))
        let firstId = try #require(first.row.id)
        let secondId = try #require(second.row.id)
        #expect(secondId > firstId)
        #expect(try await storage.createSession(SessionRow(chatId: "b", agent: "z")).row.id == secondId)
        #expect(try await storage.session(chatId: "a")?.id == firstId)
        #expect(try await storage.listSessions(agent: nil, status: nil, limit: 10, after: nil).map(\.chatId) == ["a", "b"])
        #expect(try await storage.listSessions(agent: nil, status: nil, limit: 10, after: firstId).map(\.chatId) == ["b"])
        #expect(try await storage.listSessions(agent: "x", status: nil, limit: 10, after: nil).map(\.chatId) == ["a"])
        #expect(try await storage.listSessions(agent: nil, status: .running, limit: 10, after: nil).map(\.chatId) == ["b"])
        #expect(try await storage.listSessions(agent: nil, status: nil, limit: 1, after: nil).map(\.chatId) == ["a"])
    }

    /// The `Columns` enums name exactly the keys the Codable records store.
    @Test func columnsMatchTheRecordsCodingKeys() throws {
        func keys(_ value: some Encodable) throws -> Set<String> {
            let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as? [String: Any]
            return Set(object?.keys.map { $0 } ?? [])
        }
        let record = LogRecord(chatId: "a", seq: 1, kind: .input, body: "{}", idempotencyKey: "k")
        #expect(try keys(record) == Set(LogRecord.Columns.all.map(\.name)))
        var row = SessionRow(chatId: "a", agent: "x", clientData: "{}", metadata: "{}")
        row.id = 1
        let sessionColumns = [
            SessionRow.Columns.id, SessionRow.Columns.chatId, SessionRow.Columns.agent, SessionRow.Columns.status,
            SessionRow.Columns.clientData, SessionRow.Columns.metadata, SessionRow.Columns.createdAt, SessionRow.Columns.updatedAt,
        ]
        #expect(try keys(row) == Set(sessionColumns.map(\.name)))
    }
}
