import AgentWire

extension MessageHistory {
    /// The history folded through some seq, as storage keeps it, so that a
    /// session waking from its log decodes this and folds only the records
    /// after `throughSeq` instead of every record it ever had.
    ///
    /// Folding `records(after: throughSeq)` into `MessageHistory(snapshot:)`
    /// gives exactly the history a fold of the whole log gives.
    public struct Snapshot: Codable, Sendable, Hashable {
        /// The last seq folded into this snapshot.
        public var throughSeq: Int64
        var messages: [UIMessage]
        var queuedInputs: [QueuedInput]
        var openAssistant: Int?
        var openParts: [String: Int]
        var turnInProgress: TurnCheckpoint?
        var agentState: SavedState?
        /// Required: a snapshot written before turns were counted is not read
        /// (the session folds its whole log instead), so the count stays exact.
        var turnsStarted: Int
        var chatStartRecorded: Bool?
        var totalUsage: ModelUsage?
        /// Tools' compact forms for the model, by message id then call id; nil: none.
        var modelOutputs: [String: [String: JSONValue]]?
        /// The latest compaction; nil: none.
        var compaction: MessageHistory.Compaction?
        /// Injected context and deferred work; nil: none.
        var injections: ContextInjections?

        struct QueuedInput: Codable, Sendable, Hashable {
            var seq: Int64
            var input: InputRecord
        }

        struct SavedState: Codable, Sendable, Hashable {
            var state: JSONValue
            var version: String
        }
    }
}

extension MessageHistory.Snapshot {
    /// This snapshot with `messages` in place of its own.
    func with(messages: [UIMessage]) -> Self {
        var snapshot = self
        snapshot.messages = messages
        return snapshot
    }

    /// The part of the history whose fold never reads a message: queued
    /// inputs, the turn in progress and the agent state. Folding records into
    /// `MessageHistory(snapshot: withoutMessages, …)` gives those three exactly
    /// as a fold of the whole history does; its messages are only the ones the
    /// records add, and nobody reads them.
    var withoutMessages: Self {
        var snapshot = with(messages: [])
        snapshot.openAssistant = nil
        snapshot.openParts = [:]
        snapshot.modelOutputs = nil
        return snapshot
    }
}
