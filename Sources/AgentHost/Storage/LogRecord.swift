import Foundation

/// One entry of a session log. The log is both transcript and stream: inputs
/// from clients, output chunks and control records share one seq space.
public struct LogRecord: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable {
        /// A client input (`POST …/in`); never sent on the output stream.
        case input = "in"
        /// A UI message chunk of the agent's answer.
        case output = "out"
        /// Turn bookkeeping (turn-start, turn-complete, …), sent as transient data parts.
        case control
        /// The agent's own per-session state (`{"version", "state"}`); private, never streamed.
        case state
    }

    public var chatId: String
    public var seq: Int64
    public var kind: Kind
    /// The JSON text: an input record, or one UI message chunk.
    public var body: String
    public var idempotencyKey: String?
    public var createdAt: Date
    /// Not a record of the log: a chunk a session offers its live readers only
    /// and never stores (the storage error that ends a turn whose records could
    /// not be committed). It carries the seq of the last stored record, so a
    /// reader that resumes after it misses nothing the log holds.
    public var isNotice = false

    /// The stored fields: a notice is never stored.
    enum CodingKeys: String, CodingKey {
        case chatId, seq, kind, body, idempotencyKey, createdAt
    }

    public init(chatId: String, seq: Int64, kind: Kind, body: String, idempotencyKey: String? = nil, createdAt: Date = Date()) {
        self.chatId = chatId
        self.seq = seq
        self.kind = kind
        self.body = body
        self.idempotencyKey = idempotencyKey
        self.createdAt = createdAt
    }

    /// Whether subscribers of the output stream see this record.
    public var isStreamed: Bool { kind == .output || kind == .control }
}
