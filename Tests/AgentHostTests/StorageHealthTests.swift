@testable import AgentHost
import Foundation
import Testing

/// The storage's circuit breaker on a real SQLite file, filled through SQLite's
/// page limit (`StorageFaultInjection`): a full database refuses writes until a
/// probe succeeds, an error of the statement itself opens nothing, and a
/// replaced file is refused for good.
@Suite struct StorageHealthTests {
    private struct Fixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("health-\(UUID().uuidString)")
        var database: String { directory.appendingPathComponent("db.sqlite").path }
        var full: URL { directory.appendingPathComponent("full") }

        func storage() throws -> SQLiteStorage {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return try SQLiteStorage(path: database, faults: StorageFaultInjection(environment: [StorageFaultInjection.environmentKey: full.path]))
        }
    }

    /// Records big enough that a few need a new page of the database.
    private func records(_ seqs: ClosedRange<Int64>) -> [LogRecord] {
        seqs.map { LogRecord(chatId: "a", seq: $0, kind: .output, body: String(repeating: "x", count: 2000)) }
    }

    private func isStorageUnavailable(_ error: any Error) -> Bool {
        if case .storageUnavailable? = error as? AgentHostError { true } else { false }
    }

    @Test func aFullDatabaseRefusesWritesUntilAProbeSucceeds() async throws {
        let fixture = Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let storage = try fixture.storage()
        try await storage.append(records(1...2), statuses: [])
        #expect(await storage.writeProblem() == nil)

        try Data().write(to: fixture.full)
        await #expect(throws: AgentHostError.self) { try await storage.append(self.records(3...10), statuses: []) }
        #expect(await storage.writeProblem()?.kind == .full)
        // Refused at once, even a write that would fit: nothing is acknowledged while the breaker is open.
        let refused = await #expect(throws: AgentHostError.self) { try await storage.append([], statuses: [StatusChange(chatId: "a", status: .idle)]) }
        #expect(refused.map(isStorageUnavailable) == true)
        #expect(try await storage.lastSeq(chatId: "a") == 2)

        try FileManager.default.removeItem(at: fixture.full)
        await storage.waitUntilWritable()
        #expect(await storage.writeProblem() == nil)
        try await storage.append(records(3...10), statuses: [])
        #expect(try await storage.lastSeq(chatId: "a") == 10)
    }

    @Test func aConstraintErrorIsNotAStorageProblem() async throws {
        let fixture = Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let storage = try fixture.storage()
        try await storage.append(records(1...1), statuses: [])
        let error = await #expect(throws: (any Error).self) { try await storage.append(self.records(1...1), statuses: []) }
        #expect(error.map(isStorageUnavailable) == false)
        #expect(await storage.writeProblem() == nil)
        try await storage.append(records(2...2), statuses: [])
    }

    @Test func aReplacedDatabaseFileIsRefusedForGood() async throws {
        let fixture = Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let storage = try fixture.storage()
        try await storage.append(records(1...1), statuses: [])
        let moved = fixture.directory.appendingPathComponent("moved.sqlite")
        try FileManager.default.moveItem(atPath: fixture.database, toPath: moved.path)
        try FileManager.default.copyItem(at: moved, to: URL(fileURLWithPath: fixture.database))

        await #expect(throws: AgentHostError.self) { try await storage.append(self.records(2...2), statuses: []) }
        #expect(await storage.writeProblem()?.kind == .fileReplaced)
        await #expect(throws: AgentHostError.self) { try await storage.createSession(SessionRow(chatId: "b", agent: "x")) }
        #expect(await storage.writeProblem()?.kind == .fileReplaced)
    }
}
