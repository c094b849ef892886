@testable import AgentHost
import AgentWire
import Foundation
import Testing

/// Folding compactions: one written between the steps of a turn covers the
/// messages before the running answer (which the model keeps reading whole),
/// and a history edit into what a compaction covers drops it.
@Suite struct MessageHistoryCompactionTests {
    private typealias Log = MessageHistoryTests.Log

    private func summaryText(_ message: ModelMessage?) -> String? {
        guard case .user(let parts)? = message, case .text(let text)? = parts.first else { return nil }
        return text
    }

    /// Two finished turns (u1/a1, u2/a2) and a compaction of all four messages.
    private func compactedLog() -> Log {
        var log = Log()
        for (user, answer) in [("u1", "a1"), ("u2", "a2")] {
            let seq = log.input("text of \(user)", id: user)
            log.add(.control, ControlPart.turnStart(inSeq: seq).chunk.json)
            for chunk in [UIChunk.start(messageId: answer), .startStep, .textStart(id: "t"), .textDelta(id: "t", delta: answer),
                          .textEnd(id: "t"), .finishStep, .finish(finishReason: .stop)] {
                log.add(.output, chunk.json)
            }
            log.add(.control, ControlPart.turnComplete(inSeq: seq).chunk.json)
        }
        log.add(.state, MessageHistory.Compaction(summary: "S", messageCount: 4, throughSeq: Int64(log.records.count)).record)
        return log
    }

    @Test func aCompactionBetweenStepsKeepsTheRunningAnswerAfterItsSummary() {
        var log = Log()
        let seq = log.input("look it up", id: "u1")
        log.add(.control, ControlPart.turnStart(inSeq: seq).chunk.json)
        for chunk in [UIChunk.start(messageId: "a1"), .startStep, .toolInputAvailable(toolCallId: "c1", toolName: "lookup", input: [:]),
                      .toolOutputAvailable(toolCallId: "c1", output: "facts"), .finishStep] {
            log.add(.output, chunk.json)
        }
        var history = MessageHistory(records: log.records)
        let answer = history.runningAnswer()
        #expect(answer == RunningAnswer(start: 1, modelCount: 2, compacted: false))
        log.add(.state, MessageHistory.Compaction(summary: "S", messageCount: 1, throughSeq: Int64(log.records.count)).record)

        history = MessageHistory(records: log.records)
        #expect(history.runningAnswer()?.compacted == true)
        let model = history.modelConversation()
        #expect(model.count == 3)
        #expect(summaryText(model.first) == "Summary of the conversation so far:\nS")
        guard case .assistant(_, let calls, _) = model[1], case .toolResult(let callId, _, _, _) = model[2] else {
            Issue.record("unexpected conversation: \(model)")
            return
        }
        #expect(calls.map(\.id) == ["c1"])
        #expect(callId == "c1")
        // Woken from a snapshot at any point, the history agrees.
        for split in 1..<log.records.count {
            let snapshot = MessageHistory(records: Array(log.records.prefix(split))).snapshot(throughSeq: Int64(split))
            var woken = MessageHistory(snapshot: snapshot, records: Array(log.records.dropFirst(split)))
            #expect(woken.modelConversation() == model, "split at \(split)")
        }
    }

    @Test(arguments: [
        (HistoryEdit.rollback(to: "a1"), false),
        (HistoryEdit.remove("u1"), false),
        (HistoryEdit.replace(UIMessage(id: "u2", role: "user", parts: [["type": "text", "text": "edited"]])), false),
        (HistoryEdit.rollback(to: "a2"), true),
    ])
    func anEditIntoTheCoveredMessagesDropsTheCompaction(edit: HistoryEdit, kept: Bool) {
        var log = compactedLog()
        #expect(MessageHistory(records: log.records).compaction != nil)
        log.add(.control, ControlPart.historyChanged(inSeq: 99, edits: [edit]).chunk.json)
        var history = MessageHistory(records: log.records)
        #expect((history.compaction != nil) == kept)
        let first = summaryText(history.modelConversation().first)
        #expect((first?.hasPrefix("Summary of the conversation") ?? false) == kept)
    }
}
