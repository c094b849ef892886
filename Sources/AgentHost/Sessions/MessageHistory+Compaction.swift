import Foundation
import AgentWire

extension MessageHistory {
    /// A durable compaction: the summary that replaces, for the model, the
    /// first `messageCount` messages of the history (`/messages` keeps them).
    /// The body of a private `state` record `{"compaction": {…}}`.
    public struct Compaction: Codable, Sendable, Hashable {
        /// The model's summary of the conversation it covers.
        public var summary: String
        /// How many messages of the history it covers, from the first.
        public var messageCount: Int
        /// The last log seq it covers.
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
    }
}
