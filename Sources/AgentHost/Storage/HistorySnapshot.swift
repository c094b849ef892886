import Foundation

/// A session's history folded through `throughSeq`, as encoded JSON: what a
/// session waking from its log decodes instead of folding every record again.
/// Storage keeps the latest one per session and never looks inside it.
public struct HistorySnapshot: Codable, Sendable, Hashable {
    public var chatId: String
    /// The last log seq folded into `body`.
    public var throughSeq: Int64
    /// The encoded history (`MessageHistory.Snapshot`).
    public var body: Data
    public var createdAt: Date

    public init(chatId: String, throughSeq: Int64, body: Data, createdAt: Date = Date()) {
        self.chatId = chatId
        self.throughSeq = throughSeq
        self.body = body
        self.createdAt = createdAt
    }
}
