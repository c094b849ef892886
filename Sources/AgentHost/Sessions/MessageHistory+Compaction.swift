import Foundation
import AgentWire

extension MessageHistory {
    /// A durable compaction: the summary that replaces, for the model, the
    /// first `messageCount` messages of the history (`/messages` keeps them).
    /// The body of a private `state` record `{"compaction": {…}}`.
    ///
    /// After a turn it covers every message; between the steps of a tool turn
    /// it covers the messages before the running answer (`TurnCheckpoint.answerMessageId`),
    /// which the model keeps reading whole after the summary. A history edit
    /// that removes, replaces or rolls back past a covered message drops it:
    /// the summary would tell of messages that are gone.
    public struct Compaction: Codable, Sendable, Hashable {
        /// The summary of the conversation it covers.
        public var summary: String
        /// How many messages of the history it covers, from the first.
        public var messageCount: Int
        /// The last log seq it covers: the log's end when it was made.
        public var throughSeq: Int64

        public init(summary: String, messageCount: Int, throughSeq: Int64) {
            self.summary = summary
            self.messageCount = messageCount
            self.throughSeq = throughSeq
        }

        /// The member of a `state` record that carries a compaction.
        static let recordKey = "compaction"

        /// The message the model gets in place of the messages it covers.
        var modelMessage: ModelMessage {
            .user(parts: [.text("Summary of the conversation so far:\n\(summary)")])
        }

        /// The compaction as the body of its log record.
        var record: JSONValue {
            let body = (try? WireCoding.encode(self)).flatMap { try? WireCoding.decode(JSONValue.self, from: $0) } ?? .null
            return [Self.recordKey: body]
        }

        /// The compaction a `state` record body carries; nil for any other.
        init?(record body: JSONValue) {
            guard let value = body[Self.recordKey], let data = try? WireCoding.encode(value),
                  let compaction = try? WireCoding.decode(Self.self, from: data) else { return nil }
            self = compaction
        }

        /// Whether the summary stands for injected context: context placed
        /// among the messages it covers, or right after them before it was made
        /// (the summary request read it). Context placed in the running answer
        /// of a compaction between steps is not covered: the answer stays whole.
        func covers(_ injection: ContextInjections.Placed) -> Bool {
            injection.message < messageCount || (injection.message == messageCount && injection.part == 0 && injection.placedAt <= throughSeq)
        }
    }

    /// The running turn's answer so far (with what was steered or injected
    /// into it): what a compaction between steps keeps after its summary —
    /// `start`, the index of its first message, and `modelCount`, how many of
    /// the model conversation's last messages it is. Nil outside a turn, or
    /// before its answer started.
    mutating func runningAnswer() -> RunningAnswer? {
        guard let id = turnInProgress?.answerMessageId, let start = messages.lastIndex(where: { $0.id == id }) else { return nil }
        // The history without the answer: what the model reads before it. A
        // copy, truncated (a copy of the message array, none of their content).
        var before = self
        before.truncate(from: start)
        let modelCount = modelConversation().count - before.modelConversation().count
        return RunningAnswer(start: start, modelCount: modelCount, compacted: compaction?.messageCount == start)
    }
}

/// Where a running turn's answer starts, as a compaction between steps needs it.
struct RunningAnswer: Sendable, Hashable {
    /// The index of its first message in the history.
    var start: Int
    /// How many of the model conversation's last messages it is.
    var modelCount: Int
    /// A compaction already covers everything before it: the model reads the
    /// summary, then the answer, and another summary would gain nothing.
    var compacted: Bool
}
