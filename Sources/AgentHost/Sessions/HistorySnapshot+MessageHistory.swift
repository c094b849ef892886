import AgentWire
import Foundation
import Logging

extension HistorySnapshot {
    /// A stored snapshot of `history`.
    /// - Parameters:
    ///   - chatId: The session the history belongs to.
    ///   - history: The folded history.
    init(chatId: String, history: MessageHistory.Snapshot) throws {
        self.init(chatId: chatId, throughSeq: history.throughSeq, body: try WireCoding.encode(history))
    }

    /// The folded history this snapshot holds.
    func history() throws -> MessageHistory.Snapshot {
        try WireCoding.decode(MessageHistory.Snapshot.self, from: body)
    }

    /// Encodes and stores `history` off the caller's actor; a failure is logged,
    /// never fatal: without a snapshot a session wakes by folding its whole log.
    static func save(_ history: MessageHistory.Snapshot, chatId: String, storage: any SessionStorage, logger: Logger) {
        Task.detached(priority: .background) {
            do {
                try await storage.saveSnapshot(HistorySnapshot(chatId: chatId, history: history))
            } catch {
                logger.warning("cannot save a history snapshot", metadata: ["chatId": "\(chatId)", "error": "\(error)"])
            }
        }
    }
}
