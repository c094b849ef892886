import Foundation

/// Everything the daemon keeps on disk about sessions. A protocol so a shared
/// PostgreSQL backend can serve several daemons later; SQLite is the default.
public protocol SessionStorage: Sendable {
    /// Inserts the session, or returns the existing one with `created == false`.
    func createSession(_ row: SessionRow) async throws -> (row: SessionRow, created: Bool)
    func session(chatId: String) async throws -> SessionRow?
    /// Sessions in creation order, starting after the row with id `after`.
    func listSessions(agent: String?, status: SessionStatus?, limit: Int, after: Int64?) async throws -> [SessionRow]
    /// The sub-agent sessions a session's turns called, in creation order.
    func children(of parentChatId: String) async throws -> [SessionRow]
    /// Appends records of any sessions and applies status changes, all in one
    /// transaction (group commit).
    func append(_ records: [LogRecord], statuses: [StatusChange]) async throws
    /// Records with `after < seq <= upTo`, in seq order, at most `limit` of them
    /// (the first ones) when a limit is given: replays read a page at a time.
    func records(chatId: String, after: Int64, upTo: Int64?, limit: Int?) async throws -> [LogRecord]
    /// The highest seq in the session's log, 0 when empty.
    func lastSeq(chatId: String) async throws -> Int64
    /// The seq of an input stored with this idempotency key, if any.
    func inputSeq(chatId: String, idempotencyKey: String) async throws -> Int64?
    /// Keeps `snapshot` as the session's latest, unless a newer one is kept already.
    func saveSnapshot(_ snapshot: HistorySnapshot) async throws
    /// The session's latest history snapshot, if one was saved.
    func snapshot(chatId: String) async throws -> HistorySnapshot?
    /// Why writes are refused now (the last commit failed, the database file
    /// is gone); nil while they are taken. Cheap: `/healthz` asks it each time.
    func writeProblem() async -> StorageProblem?
    /// Returns once writes are taken again; at once while they are.
    func waitUntilWritable() async
}

extension SessionStorage {
    /// A storage that keeps no health: its writes always seem taken.
    public func writeProblem() async -> StorageProblem? { nil }

    public func waitUntilWritable() async {}

    /// Records with `after < seq <= upTo`, in seq order, all of them.
    public func records(chatId: String, after: Int64, upTo: Int64?) async throws -> [LogRecord] {
        try await records(chatId: chatId, after: after, upTo: upTo, limit: nil)
    }
}

/// A session's new status, committed together with log records.
public struct StatusChange: Sendable {
    public var chatId: String
    public var status: SessionStatus
    public var at: Date

    public init(chatId: String, status: SessionStatus, at: Date = Date()) {
        self.chatId = chatId
        self.status = status
        self.at = at
    }
}
