@testable import AgentHost
import Foundation
import Testing

/// What only the SQLite store has: its GRDB record mapping. The behaviour every
/// store shares (sessions, the log, group commit, idempotency keys) is checked
/// on SQLite and PostgreSQL alike in `StorageConformanceTests`.
@Suite struct StorageTests {
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
