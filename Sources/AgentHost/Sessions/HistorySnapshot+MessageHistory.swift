import AgentWire
import Foundation
import Logging

extension HistorySnapshot {
    /// A stored snapshot of `history`.
    /// - Parameters:
    ///   - chatId: The session the history belongs to.
    ///   - history: The folded history.
    init(chatId: String, history: MessageHistory.Snapshot) throws {
        // The small fields through Codable; the messages, nearly all of it, written
        // directly (`jsonText`): a long session's snapshot is megabytes, and
        // `JSONEncoder` would spend most of its time on them.
        var rest = history
        rest.messages = []
        guard case .object(var fields) = try WireCoding.decode(JSONValue.self, from: WireCoding.encode(rest)) else {
            throw SnapshotError.missing("the snapshot's fields")
        }
        fields["messages"] = .array(history.messages.map { message in
            var object: [String: JSONValue] = [
                "id": .string(message.id), "role": .string(message.role), "parts": .array(message.parts),
            ]
            if let metadata = message.metadata { object["metadata"] = metadata }
            return .object(object)
        })
        self.init(chatId: chatId, throughSeq: history.throughSeq, body: Data(JSONValue.object(fields).jsonText.utf8))
    }

    /// The folded history this snapshot holds.
    func history() throws -> MessageHistory.Snapshot {
        let (rest, messages) = try encodedHistory()
        return try rest.with(messages: messages.decode())
    }

    /// The folded history this snapshot holds, its messages — nearly all of
    /// it — checked but still encoded: what a wake reads, leaving the cost of
    /// building them to whoever first reads them.
    ///
    /// The messages are read with the direct JSON parser: `JSONDecoder` would
    /// spend most of a long session's wake on them.
    /// - Returns: The history without messages, and its messages.
    func encodedHistory() throws -> (rest: MessageHistory.Snapshot, messages: UIMessage.EncodedArray) {
        let (fields, messages) = try JSONValue.parseObject(body, leavingEncoded: "messages")
        guard let messages else { throw SnapshotError.missing("messages") }
        var rest = fields
        rest["messages"] = []
        return (try WireCoding.decode(MessageHistory.Snapshot.self, from: JSONValue.object(rest).jsonText), messages)
    }

    enum SnapshotError: Error {
        case missing(String)
    }

    /// Encodes and stores `history` off the caller's actor; a failure is logged,
    /// never fatal: without a snapshot a session wakes by folding its whole log.
    static func save(_ history: MessageHistory.Snapshot, chatId: String, storage: any SessionStorage, logger: Logger) {
        // Not `.background`: the next wake of this session reads what this writes.
        Task.detached(priority: .utility) {
            do {
                try await storage.saveSnapshot(HistorySnapshot(chatId: chatId, history: history))
            } catch {
                logger.warning("cannot save a history snapshot", metadata: ["chatId": "\(chatId)", "error": "\(error)"])
            }
        }
    }
}
