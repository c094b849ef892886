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
        try await storage.setStatus(chatId: "a", status: .closed)
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
        try await storage.append([LogRecord(chatId: "a", seq: 1, kind: .input, body: "{}", idempotencyKey: "k")])
        #expect(try await storage.inputSeq(chatId: "a", idempotencyKey: "k") == 1)
        #expect(try await storage.inputSeq(chatId: "b", idempotencyKey: "k") == nil)
        await #expect(throws: (any Error).self) {
            try await storage.append([LogRecord(chatId: "a", seq: 2, kind: .input, body: "{}", idempotencyKey: "k")])
        }
        // The failed transaction wrote nothing.
        #expect(try await storage.lastSeq(chatId: "a") == 1)
    }
}
