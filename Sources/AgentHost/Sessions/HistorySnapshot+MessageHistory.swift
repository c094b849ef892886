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
    ///
    /// The messages, nearly all of it, are read with the direct JSON parser:
    /// `JSONDecoder` would spend most of a long session's wake on them.
    func history() throws -> MessageHistory.Snapshot {
        let json = try JSONValue(parsing: body)
        guard let messages = json["messages"]?.arrayValue else { throw SnapshotError.missing("messages") }
        var rest = json
        if case .object(var fields) = rest {
            fields["messages"] = []
            rest = .object(fields)
        }
        var snapshot = try WireCoding.decode(MessageHistory.Snapshot.self, from: rest.jsonText)
        snapshot.messages = try messages.map { message in
            guard let id = message["id"]?.stringValue, let role = message["role"]?.stringValue,
                  let parts = message["parts"]?.arrayValue
            else { throw SnapshotError.missing("a message's id, role or parts") }
            let metadata = message["metadata"].flatMap { $0 == .null ? nil : $0 }
            return UIMessage(id: id, role: role, parts: parts, metadata: metadata)
        }
        return snapshot
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
