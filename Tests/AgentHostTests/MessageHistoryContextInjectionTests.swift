@testable import AgentHost
import AgentWire
import Foundation
import Testing

/// Folding injected context and deferred work: an acknowledged injection
/// waits until a `data-context-injected` record places it, the model's
/// conversation has it there (and only there), `/messages` never shows it,
/// and a deferral's result is injected once.
@Suite struct MessageHistoryContextInjectionTests {
    private typealias Log = MessageHistoryTests.Log

    private func step(_ text: String, id: String) -> [UIChunk] {
        [.startStep, .textStart(id: id), .textDelta(id: id, delta: text), .textEnd(id: id), .finishStep]
    }

    private func text(_ message: ModelMessage) -> String? {
        guard case .user(let parts) = message, case .text(let text)? = parts.first else { return nil }
        return text
    }

    /// Every split of the log into snapshot + records folds to the same model conversation.
    private func expectSnapshotsAgree(_ log: Log, _ expected: [ModelMessage]) {
        for split in 1..<log.records.count {
            let snapshot = MessageHistory(records: Array(log.records.prefix(split))).snapshot(throughSeq: Int64(split))
            var woken = MessageHistory(snapshot: snapshot, records: Array(log.records.dropFirst(split)))
            #expect(woken.modelConversation() == expected, "split at \(split)")
        }
    }

    @Test func anInjectionAtAStepBoundaryComesAfterTheStepsToolResultsOnce() throws {
        var log = Log()
        let first = log.input("look it up", id: "u1")
        log.add(.control, ControlPart.turnStart(inSeq: first).chunk.json)
        for chunk in [UIChunk.start(messageId: "a1"), .startStep, .toolInputAvailable(toolCallId: "c1", toolName: "note", input: [:])] {
            log.add(.output, chunk.json)
        }
        log.add(.state, ContextInjections.injectionRecord(text: "<context>blue</context>"))
        let injection = Int64(log.records.count)
        #expect(MessageHistory(records: log.records).injections.pending == [injection: "<context>blue</context>"])
        for chunk in [UIChunk.toolOutputAvailable(toolCallId: "c1", output: "noted"), .finishStep] { log.add(.output, chunk.json) }
        log.add(.control, ControlPart.contextInjected(inSeq: first, seqs: [injection]).chunk.json)
        for chunk in step("done", id: "t") + [.finish(finishReason: .stop)] { log.add(.output, chunk.json) }
        log.add(.control, ControlPart.turnComplete(inSeq: first).chunk.json)

        var history = MessageHistory(records: log.records)
        #expect(history.injections.pending.isEmpty)
        #expect(history.messages.map(\.id) == ["u1", "a1"])  // not a chat message
        let model = history.modelConversation()
        #expect(model.count == 5)
        guard case .toolResult = model[2], case .assistant(let answer, _, _) = model[4] else {
            Issue.record("unexpected conversation: \(model)")
            return
        }
        #expect(text(model[3]) == "<context>blue</context>")
        #expect(answer == "done")
        expectSnapshotsAgree(log, model)
    }

    @Test func anInjectionBeforeATurnsFirstStepGoesAheadOfTheMessageItAnswers() {
        var log = Log()
        let first = log.input("one", id: "u1")
        log.turn(inSeq: first, [.start(messageId: "a1")] + step("hi", id: "t") + [.finish(finishReason: .stop)])
        log.add(.state, ContextInjections.injectionRecord(text: "later"))
        let injection = Int64(log.records.count)
        let second = log.input("two", id: "u2")
        log.add(.control, ControlPart.turnStart(inSeq: second).chunk.json)
        log.add(.output, UIChunk.start(messageId: "a2").json)
        log.add(.control, ControlPart.contextInjected(inSeq: second, seqs: [injection]).chunk.json)
        for chunk in step("again", id: "t") + [.finish(finishReason: .stop)] { log.add(.output, chunk.json) }
        log.add(.control, ControlPart.turnComplete(inSeq: second).chunk.json)

        var history = MessageHistory(records: log.records)
        let model = history.modelConversation()
        #expect(model.map(text) == [Optional("one"), nil, "later", "two", nil])
        expectSnapshotsAgree(log, model)
        // Regenerating the answer keeps the context with the message it preceded.
        log.add(.input, ["kind": "message", "trigger": "regenerate-message"])
        let regenerate = Int64(log.records.count)
        log.turn(inSeq: regenerate, [.start(messageId: "a3")] + step("anew", id: "t") + [.finish(finishReason: .stop)])
        history = MessageHistory(records: log.records)
        #expect(history.modelConversation().map(text) == [Optional("one"), nil, "later", "two", nil])
    }

    @Test func aDeferralsResultIsInjectedOnceAndAFailedOneNever() {
        var log = Log()
        log.add(.state, ContextInjections.deferralRecord(id: "d1", timeoutSeconds: 5))
        log.add(.state, ContextInjections.deferralRecord(id: "d2", timeoutSeconds: 5))
        #expect(Set(MessageHistory(records: log.records).injections.deferrals.keys) == ["d1", "d2"])
        log.add(.state, ContextInjections.deferralResultRecord(id: "d1", text: "found it", error: nil))
        let result = Int64(log.records.count)
        log.add(.state, ContextInjections.deferralResultRecord(id: "d1", text: "again", error: nil))  // a second result: ignored
        log.add(.state, ContextInjections.deferralResultRecord(id: "d2", text: nil, error: "interrupted"))
        let history = MessageHistory(records: log.records)
        #expect(history.injections.deferrals.isEmpty)
        #expect(history.injections.pending == [result: "found it"])
    }

    @Test func aCompactionCoversTheInjectionsPlacedBeforeIt() {
        var log = Log()
        let first = log.input("one", id: "u1")
        log.add(.state, ContextInjections.injectionRecord(text: "old context"))
        let injection = Int64(log.records.count)
        log.add(.control, ControlPart.turnStart(inSeq: first).chunk.json)
        log.add(.output, UIChunk.start(messageId: "a1").json)
        log.add(.control, ControlPart.contextInjected(inSeq: first, seqs: [injection]).chunk.json)
        for chunk in step("hi", id: "t") + [.finish(finishReason: .stop)] { log.add(.output, chunk.json) }
        let compaction = MessageHistory.Compaction(summary: "they said one", messageCount: 2, throughSeq: Int64(log.records.count))
        log.add(.state, compaction.record)
        log.add(.control, ControlPart.turnComplete(inSeq: first).chunk.json)
        var history = MessageHistory(records: log.records)
        #expect(history.modelConversation() == [compaction.modelMessage])
    }
}
