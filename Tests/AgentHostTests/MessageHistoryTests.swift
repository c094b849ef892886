@testable import AgentHost
import AgentWire
import Foundation
import Logging
import Testing

/// Folding the log into `UIMessage[]` and into the checkpoint of a running turn.
@Suite struct MessageHistoryTests {
    struct Log {
        var records: [LogRecord] = []
        mutating func add(_ kind: LogRecord.Kind, _ body: JSONValue) {
            records.append(LogRecord(chatId: "c", seq: Int64(records.count + 1), kind: kind, body: (try? WireCoding.encodeString(body)) ?? "{}"))
        }
        mutating func input(_ text: String, id: String) -> Int64 {
            let message: JSONValue = ["id": .string(id), "role": "user", "parts": [["type": "text", "text": .string(text)]]]
            add(.input, ["kind": "message", "message": message])
            return Int64(records.count)
        }
        mutating func turn(inSeq: Int64, _ chunks: [UIChunk], complete: Bool = true) {
            add(.control, ControlPart.turnStart(inSeq: inSeq).chunk.json)
            for chunk in chunks { add(.output, chunk.json) }
            if complete { add(.control, ControlPart.turnComplete(inSeq: inSeq).chunk.json) }
        }
    }

    private let answer: [UIChunk] = [
        .start(messageId: "a1"), .startStep, .textStart(id: "t"), .textDelta(id: "t", delta: "Hi"),
        .textDelta(id: "t", delta: " there"), .textEnd(id: "t"), .finishStep, .finish(finishReason: .stop),
    ]

    @Test func queuedMessagesEnterTheHistoryWhenTheirTurnStarts() {
        var log = Log()
        let first = log.input("one", id: "u1")
        let second = log.input("two", id: "u2")  // arrives while turn one runs
        log.turn(inSeq: first, answer)
        var history = MessageHistory(records: log.records)
        #expect(history.messages.map(\.id) == ["u1", "a1"])
        #expect(history.pendingInputs.map(\.seq) == [second])
        log.turn(inSeq: second, [.start(messageId: "a2")] + answer.dropFirst())
        history = MessageHistory(records: log.records)
        #expect(history.messages.map(\.id) == ["u1", "a1", "u2", "a2"])
        #expect(history.messages[1].text == "Hi there")
        #expect(history.pendingInputs.isEmpty)
        #expect(history.turnInProgress == nil)
    }

    @Test func anActionsHistoryEditsFoldInOrderAndTheActionLeavesTheQueue() {
        var log = Log()
        for (index, id) in ["u1", "u2", "u3"].enumerated() {
            let seq = log.input("m\(index)", id: id)
            log.turn(inSeq: seq, [.start(messageId: "a\(index + 1)")] + answer.dropFirst())
        }
        log.add(.input, ["kind": "action", "action": ["type": "undo"]])
        let action = Int64(log.records.count)
        #expect(MessageHistory(records: log.records).pendingInputs.map(\.seq) == [action])
        let edited = UIMessage(id: "u1", role: "user", parts: [["type": "text", "text": "redacted"]])
        log.add(.control, ControlPart.historyChanged(inSeq: action, edits: [
            .rollback(to: "u3"), .remove("a2"), .replace(edited), .remove("unknown"),
        ]).chunk.json)
        log.add(.control, ControlPart.turnComplete(inSeq: action).chunk.json)
        var history = MessageHistory(records: log.records)
        #expect(history.messages.map(\.id) == ["u1", "a1", "u2", "u3"])
        #expect(history.messages.first?.text == "redacted")
        #expect(history.pendingInputs.isEmpty, "an action without a turn is over at its turn-complete")
        #expect(history.turnsStarted == 3)
        #expect(history.modelConversation().count == 4)
        // A woken session folds the same records over a snapshot taken before them.
        let before = MessageHistory(records: Array(log.records.prefix(Int(action))))
        let woken = MessageHistory(snapshot: before.snapshot(throughSeq: action), records: Array(log.records.dropFirst(Int(action))))
        #expect(woken.messages == history.messages)
    }

    @Test func anAbortedAnswerKeepsItsPartialText() {
        var log = Log()
        let seq = log.input("go", id: "u1")
        log.turn(inSeq: seq, [.start(messageId: "a1"), .startStep, .textStart(id: "t"), .textDelta(id: "t", delta: "half"), .abort])
        let history = MessageHistory(records: log.records)
        #expect(history.messages.last?.text == "half")
        #expect(history.messages.last?.parts.last?["state"] == "done")
    }

    @Test func aCutOffTurnIsItsOwnCheckpoint() {
        var log = Log()
        let seq = log.input("go", id: "u1")
        log.turn(inSeq: seq, [
            .start(messageId: "a1"), .startStep, .toolInputAvailable(toolCallId: "c1", toolName: "add", input: ["a": 1]),
            .toolOutputAvailable(toolCallId: "c1", output: 2), .finishStep,
            .startStep, .textStart(id: "text-2"), .textDelta(id: "text-2", delta: "The sum"),
        ], complete: false)
        let progress = MessageHistory(records: log.records).turnInProgress
        #expect(progress?.inSeq == seq)
        #expect(progress?.started == true)
        #expect(progress?.stepsCompleted == 1)
        #expect(progress?.stepOpen == true)
        #expect(progress?.openTextId == "text-2")
        #expect(progress?.partialStepText == "The sum")
        #expect(progress?.responseEnded == false)

        log.add(.input, ["kind": "stop"])
        #expect(MessageHistory(records: log.records).turnInProgress?.stopRequested == true)
    }

    @Test func modelMessagesKeepStepOrder() {
        var log = Log()
        let seq = log.input("go", id: "u1")
        log.turn(inSeq: seq, [
            .start(messageId: "a1"), .startStep, .toolInputAvailable(toolCallId: "c1", toolName: "add", input: ["a": 1]),
            .toolOutputAvailable(toolCallId: "c1", output: 2), .finishStep,
            .startStep, .textStart(id: "x"), .textDelta(id: "x", delta: "It is 2"), .textEnd(id: "x"), .finishStep,
            .finish(finishReason: .stop),
        ])
        let messages = ModelMessage.from(MessageHistory(records: log.records).messages)
        #expect(messages == [
            .user("go"),
            .assistant(text: "", toolCalls: [ModelToolCall(id: "c1", name: "add", input: ["a": 1])]),
            .toolResult(callId: "c1", name: "add", output: 2, isError: false),
            .assistant(text: "It is 2", toolCalls: []),
        ])
    }

    @Test func regenerateReplacesTheLastAnswer() {
        var log = Log()
        let seq = log.input("go", id: "u1")
        log.turn(inSeq: seq, answer)
        log.add(.input, ["kind": "message", "trigger": "regenerate-message"])
        let regenerate = Int64(log.records.count)
        log.turn(inSeq: regenerate, [.start(messageId: "a2")] + answer.dropFirst())
        #expect(MessageHistory(records: log.records).messages.map(\.id) == ["u1", "a2"])
    }

    @Test func turnsAreCountedAndTheChatStartAndUsageAreFolded() throws {
        var log = Log()
        let first = log.input("one", id: "u1")
        log.add(.control, ControlPart.turnStart(inSeq: first).chunk.json)
        log.add(.control, ControlPart.chatStart(inSeq: first).chunk.json)
        log.add(.output, UIChunk.start(messageId: "a1").json)
        log.add(.output, UIChunk.messageMetadata(["usage": ["inputTokens": 10, "outputTokens": 4]]).json)
        log.add(.output, UIChunk.finish(finishReason: .stop).json)
        log.add(.control, ControlPart.turnComplete(inSeq: first).chunk.json)
        log.add(.input, ["kind": "message", "trigger": "regenerate-message", "metadata": ["plan": "pro"]])
        let second = Int64(log.records.count)
        log.add(.control, ControlPart.turnStart(inSeq: second).chunk.json)
        log.add(.output, UIChunk.start(messageId: "a2").json)
        log.add(.output, UIChunk.messageMetadata(["usage": ["inputTokens": 20, "outputTokens": 6, "cachedInputTokens": 5]]).json)
        let history = MessageHistory(records: log.records)
        #expect(history.turnsStarted == 2)
        #expect(history.chatStartRecorded)
        #expect(history.totalUsage == ModelUsage(inputTokens: 30, outputTokens: 10, cachedInputTokens: 5))
        let turn = try #require(history.turnInProgress)
        #expect(turn.number == 2)
        #expect(turn.reason == .regenerate)
        #expect(turn.metadata == ["plan": "pro"])
        #expect(turn.usageBefore == ModelUsage(inputTokens: 10, outputTokens: 4))
        #expect(turn.usage == ModelUsage(inputTokens: 20, outputTokens: 6, cachedInputTokens: 5))
        #expect(history.messages.map(\.id) == ["u1", "a2"])
    }

    @Test func regenerateNamingAnEarlierAnswerDropsItAndWhatFollows() {
        var log = Log()
        let first = log.input("one", id: "u1")
        log.turn(inSeq: first, [.start(messageId: "a1")] + answer.dropFirst())
        let second = log.input("two", id: "u2")
        log.turn(inSeq: second, [.start(messageId: "a2")] + answer.dropFirst())
        log.add(.input, ["kind": "message", "trigger": "regenerate-message", "messageId": "a1"])
        log.turn(inSeq: Int64(log.records.count), [.start(messageId: "a3")] + answer.dropFirst())
        #expect(MessageHistory(records: log.records).messages.map(\.id) == ["u1", "a3"])
        // Naming a user message keeps it and answers it again.
        log.add(.input, ["kind": "message", "trigger": "regenerate-message", "messageId": "u1"])
        log.turn(inSeq: Int64(log.records.count), [.start(messageId: "a4")] + answer.dropFirst())
        #expect(MessageHistory(records: log.records).messages.map(\.id) == ["u1", "a4"])
    }

    @Test func theCachedModelConversationEqualsAFullConversionAfterEveryRecord() {
        var log = Log()
        let first = log.input("one", id: "u1")
        log.turn(inSeq: first, [
            .start(messageId: "a1"), .startStep, .toolInputAvailable(toolCallId: "c1", toolName: "add", input: ["a": 1]),
            .toolOutputAvailable(toolCallId: "c1", output: 2), .finishStep,
            .startStep, .textStart(id: "t2"), .textDelta(id: "t2", delta: "two"), .textEnd(id: "t2"), .finishStep,
            .finish(finishReason: .stop),
        ])
        let second = log.input("boom", id: "u2")
        log.turn(inSeq: second, [.start(messageId: "a2"), .startStep, .error(errorText: "provider down")])
        // The same message id again is an edit: it replaces the message and drops what followed it.
        let edited = log.input("one, edited", id: "u1")
        log.turn(inSeq: edited, [.start(messageId: "a3")] + answer.dropFirst())
        log.add(.input, ["kind": "message", "trigger": "regenerate-message"])
        let regenerate = Int64(log.records.count)
        log.turn(inSeq: regenerate, [.start(messageId: "a4")] + answer.dropFirst())
        let cut = log.input("cut off", id: "u3")
        log.turn(inSeq: cut, [.start(messageId: "a5"), .startStep, .textStart(id: "t"), .textDelta(id: "t", delta: "par")], complete: false)

        var incremental = MessageHistory()
        var checked = 0
        for record in log.records {
            incremental.apply(record)
            // Asked after every record (as turns ask at their start): never stale.
            #expect(incremental.modelConversation() == ModelMessage.from(incremental.messages), "after seq \(record.seq)")
            checked += 1
        }
        #expect(checked == log.records.count)
        #expect(incremental.messages.map(\.id) == ["u1", "a4", "u3", "a5"])
        // The answer in progress (a resumed turn) is part of what the model sees.
        #expect(incremental.modelConversation().last == .assistant(text: "par", toolCalls: []))
    }

    /// A log with everything a history folds: tools, an error, a replaced
    /// message, a regenerate, saved agent state, a queued input and a turn cut off mid-step.
    private func busyLog() -> (log: Log, cut: Int64, waiting: Int64) {
        var log = Log()
        let first = log.input("one", id: "u1")
        let queued = log.input("two", id: "u2")
        log.turn(inSeq: first, [
            .start(messageId: "a1"), .startStep, .toolInputAvailable(toolCallId: "c1", toolName: "add", input: ["a": 1]),
            .toolOutputAvailable(toolCallId: "c1", output: 2), .finishStep, .messageMetadata(["usage": ["inputTokens": 3]]),
            .startStep, .textStart(id: "t2"), .textDelta(id: "t2", delta: "two"), .textEnd(id: "t2"), .finishStep,
            .finish(finishReason: .stop),
        ])
        log.add(.state, ["version": "1.0.0", "state": ["count": 1]])
        log.turn(inSeq: queued, [.start(messageId: "a2"), .startStep, .error(errorText: "provider down")])
        let edited = log.input("one, edited", id: "u1")
        log.turn(inSeq: edited, [.start(messageId: "a3")] + answer.dropFirst())
        log.add(.input, ["kind": "message", "trigger": "regenerate-message"])
        log.turn(inSeq: Int64(log.records.count), [.start(messageId: "a4")] + answer.dropFirst())
        let cut = log.input("cut off", id: "u3")
        let waiting = log.input("waiting", id: "u4")
        log.turn(inSeq: cut, [.start(messageId: "a5"), .startStep, .textStart(id: "t"), .textDelta(id: "t", delta: "par")], complete: false)
        log.add(.input, ["kind": "stop"])
        return (log, cut, waiting)
    }

    @Test func aSnapshotPlusTheRecordsAfterItIsTheWholeFoldAtEverySplit() throws {
        let log = busyLog().log
        let whole = MessageHistory(records: log.records)
        let end = Int64(log.records.count)
        #expect(whole.turnInProgress?.stopRequested == true)
        #expect(whole.pendingInputs.count == 1)
        for split in 0...log.records.count {
            let head = MessageHistory(records: Array(log.records[..<split]))
            // Through storage's encoding, as a woken session reads it.
            let stored = try HistorySnapshot(chatId: "c", history: head.snapshot(throughSeq: Int64(split)))
            // What the direct writer stores is the snapshot's ordinary Codable form too.
            #expect(try JSONDecoder().decode(MessageHistory.Snapshot.self, from: stored.body) == head.snapshot(throughSeq: Int64(split)))
            var woken = MessageHistory(snapshot: try stored.history(), records: Array(log.records[split...]))
            #expect(woken.snapshot(throughSeq: end) == whole.snapshot(throughSeq: end), "split after seq \(split)")
            #expect(woken.modelConversation() == ModelMessage.from(whole.messages), "split after seq \(split)")
        }
    }

    @Test func aWokenHistoryKeepsFoldingLikeTheOriginal() throws {
        var (log, cut, waiting) = busyLog()
        let split = log.records.count
        var live = MessageHistory(records: log.records)
        var woken = MessageHistory(snapshot: live.snapshot(throughSeq: Int64(split)), records: [])
        // The cut-off turn ends, the waiting input is answered, and the first message is replaced again.
        log.add(.output, UIChunk.abort.json)
        log.add(.control, ControlPart.turnComplete(inSeq: cut).chunk.json)
        log.turn(inSeq: waiting, [.start(messageId: "a6")] + answer.dropFirst())
        let replaced = log.input("one, again", id: "u1")
        log.turn(inSeq: replaced, [.start(messageId: "a7")] + answer.dropFirst())
        for record in log.records[split...] {
            live.apply(record)
            woken.apply(record)
        }
        let end = Int64(log.records.count)
        #expect(woken.snapshot(throughSeq: end) == live.snapshot(throughSeq: end))
        #expect(woken.messages.first?.text == "one, again")
        // Editing the first message dropped every message after it.
        #expect(woken.messages.map(\.id) == ["u1", "a7"])
        #expect(woken.pendingInputs.isEmpty && woken.turnInProgress == nil)
        #expect(woken.modelConversation() == live.modelConversation())
    }

    /// A woken history whose messages stay encoded answers queued inputs, the
    /// turn in progress and the agent state as the whole fold does, before it
    /// builds a message and while records arrive; read, it is the whole fold.
    @Test func aHistoryWokenWithItsMessagesEncodedIsTheWholeFoldAtEverySplit() throws {
        let log = busyLog().log
        let count = log.records.count
        let whole = MessageHistory(records: log.records)
        for split in 0...count {
            let head = MessageHistory(records: Array(log.records[..<split]))
            let (rest, messages) = try HistorySnapshot(chatId: "c", history: head.snapshot(throughSeq: Int64(split))).encodedHistory()
            // Woken with some of the records after the snapshot; the rest arrive while its messages sleep.
            let wokenAt = (split + count) / 2
            var woken = SessionHistory(
                snapshot: rest, messages: messages, records: Array(log.records[split..<wokenAt]), logger: Logger(label: "test")
            )
            for end in wokenAt...count {
                if end > wokenAt {
                    let record = log.records[end - 1]
                    woken.apply(record, body: try WireCoding.decode(JSONValue.self, from: record.body))
                }
                let folded = MessageHistory(records: Array(log.records[..<end]))
                #expect(!woken.isDecoded)
                #expect(woken.pendingInputs.map(\.seq) == folded.pendingInputs.map(\.seq), "split \(split), end \(end)")
                #expect(woken.pendingInputs.map(\.input) == folded.pendingInputs.map(\.input), "split \(split), end \(end)")
                #expect(woken.turnInProgress == folded.turnInProgress, "split \(split), end \(end)")
                #expect(woken.agentState?.state == folded.agentState?.state, "split \(split), end \(end)")
                #expect(woken.agentState?.version == folded.agentState?.version, "split \(split), end \(end)")
            }
            let end = Int64(count)
            #expect(woken.decoded { $0.snapshot(throughSeq: end) } == whole.snapshot(throughSeq: end), "split \(split)")
            #expect(woken.isDecoded)
            #expect(woken.decoded { $0.modelConversation() } == ModelMessage.from(whole.messages), "split \(split)")
        }
    }
}
