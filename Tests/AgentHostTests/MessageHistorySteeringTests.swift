@testable import AgentHost
import AgentWire
import Foundation
import Testing

/// Folding steered messages, merged and superseded inputs, and compactions
/// into the history: `/messages` keeps everything, the model's conversation
/// is what the model saw and sees.
@Suite struct MessageHistorySteeringTests {
    private typealias Log = MessageHistoryTests.Log

    private func step(_ text: String, id: String) -> [UIChunk] {
        [.startStep, .textStart(id: id), .textDelta(id: id, delta: text), .textEnd(id: id), .finishStep]
    }

    @Test func aSteeredMessageEntersWhereTheModelSawItAndTheAnswerGoesOnAfterIt() throws {
        var log = Log()
        let first = log.input("look it up", id: "u1")
        log.control(.turnStart(inSeq: first))
        log.output([.start(messageId: "a1"), .startStep, .toolInputAvailable(toolCallId: "c1", toolName: "calc", input: [:]),
                    .toolOutputAvailable(toolCallId: "c1", output: 5), .finishStep])
        let steer = log.input("actually, in euros", id: "u2", mode: .steer, absorbs: nil)
        #expect(MessageHistory(records: log.records).pendingInputs.map(\.seq) == [steer])
        log.control(.pendingMessageInjected(inSeq: steer, messageId: "u2", responseMessageId: "a2"))
        log.output(step("5 euros", id: "t") + [.finish(finishReason: .stop)])
        log.control(.turnComplete(inSeq: first))

        var history = MessageHistory(records: log.records)
        #expect(history.messages.map(\.id) == ["u1", "a1", "u2", "a2"])
        #expect(history.messages[3].text == "5 euros")
        #expect(history.pendingInputs.isEmpty)
        let model = history.modelConversation()
        #expect(model.count == 5)
        guard case .toolResult = model[2], case .user = model[3], case .assistant(let text, _, _) = model[4] else {
            Issue.record("the steered message is not between the tool result and the answer: \(model)")
            return
        }
        #expect(text == "5 euros")
        // Folded from a snapshot at every split, the same.
        for split in 1..<log.records.count {
            let snapshot = MessageHistory(records: Array(log.records.prefix(split))).snapshot(throughSeq: Int64(split))
            let woken = MessageHistory(snapshot: snapshot, records: Array(log.records.dropFirst(split)))
            #expect(woken.messages == history.messages)
        }
    }

    @Test func aSteeredMessageNoBoundaryTookIsAnsweredByItsOwnTurn() {
        var log = Log()
        let first = log.input("one", id: "u1")
        log.control(.turnStart(inSeq: first))
        let steer = log.input("two", id: "u2", mode: .steer, absorbs: nil)
        log.output([.start(messageId: "a1")] + step("hi", id: "t") + [.finish(finishReason: .stop)])
        log.control(.turnComplete(inSeq: first))
        log.control(.turnStart(inSeq: steer))
        log.output([.start(messageId: "a2")] + step("again", id: "t") + [.finish(finishReason: .stop)])
        log.control(.turnComplete(inSeq: steer))
        #expect(MessageHistory(records: log.records).messages.map(\.id) == ["u1", "a1", "u2", "a2"])
    }

    @Test func mergeBringsTheWaitingMessagesLatestDropsThem() {
        for (mode, expected) in [(MessageConcurrency.merge, ["u1", "a1", "u2", "u3", "u4", "a4"]), (.latest, ["u1", "a1", "u4", "a4"])] {
            var log = Log()
            let first = log.input("one", id: "u1")
            log.control(.turnStart(inSeq: first))
            let second = log.input("two", id: "u2", mode: mode, absorbs: nil)
            let third = log.input("three", id: "u3", mode: mode, absorbs: [second])
            let fourth = log.input("four", id: "u4", mode: mode, absorbs: [third])
            log.output([.start(messageId: "a1")] + step("hi", id: "t") + [.finish(finishReason: .stop)])
            log.control(.turnComplete(inSeq: first))
            #expect(MessageHistory(records: log.records).pendingInputs.map(\.seq) == [fourth])
            log.control(.turnStart(inSeq: fourth))
            log.output([.start(messageId: "a4")] + step("all", id: "t") + [.finish(finishReason: .stop)])
            log.control(.turnComplete(inSeq: fourth))
            #expect(MessageHistory(records: log.records).messages.map(\.id) == expected, "\(mode)")
        }
    }

    @Test func aCompactionReplacesTheCoveredMessagesForTheModelOnly() throws {
        var log = Log()
        let first = log.input("one", id: "u1")
        log.control(.turnStart(inSeq: first))
        log.output([.start(messageId: "a1")] + step("hi", id: "t") + [.finish(finishReason: .stop)])
        let compaction = MessageHistory.Compaction(summary: "they said one", messageCount: 2, throughSeq: Int64(log.records.count))
        log.add(.state, compaction.record)
        log.control(.compacted(inSeq: first, throughSeq: compaction.throughSeq, tokensBefore: 40, tokensAfter: 9))
        log.control(.turnComplete(inSeq: first))
        let second = log.input("two", id: "u2")
        log.control(.turnStart(inSeq: second))

        var history = MessageHistory(records: log.records)
        #expect(history.messages.map(\.id) == ["u1", "a1", "u2"])
        #expect(history.compaction == compaction)
        let model = history.modelConversation()
        #expect(model == [compaction.modelMessage, .user(parts: [.text("two")])])

        // A snapshot carries it.
        let snapshot = history.snapshot(throughSeq: Int64(log.records.count))
        let decoded = try WireCoding.decode(MessageHistory.Snapshot.self, from: WireCoding.encode(snapshot))
        var woken = MessageHistory(snapshot: decoded, records: [])
        #expect(woken.modelConversation() == model)
    }

    @Test func regeneratingBehindACompactionDropsIt() {
        var log = Log()
        let first = log.input("one", id: "u1")
        log.control(.turnStart(inSeq: first))
        log.output([.start(messageId: "a1")] + step("hi", id: "t") + [.finish(finishReason: .stop)])
        log.add(.state, MessageHistory.Compaction(summary: "s", messageCount: 2, throughSeq: 3).record)
        log.control(.turnComplete(inSeq: first))
        log.add(.input, ["kind": "message", "trigger": "regenerate-message"])
        log.control(.turnStart(inSeq: Int64(log.records.count)))
        var history = MessageHistory(records: log.records)
        #expect(history.compaction == nil)
        #expect(history.modelConversation() == [.user(parts: [.text("one")])])
    }
}

extension MessageHistoryTests.Log {
    /// A user message the session wrote down with the mode it applied and the inputs it took over.
    mutating func input(_ text: String, id: String, mode: MessageConcurrency?, absorbs: [Int64]?) -> Int64 {
        var input = InputRecord(kind: .message, message: UIMessage(id: id, role: "user", parts: [["type": "text", "text": .string(text)]]))
        input.mode = mode
        input.absorbs = absorbs
        add(.input, (try? WireCoding.decode(JSONValue.self, from: WireCoding.encodeString(input))) ?? .null)
        return Int64(records.count)
    }

    mutating func control(_ part: ControlPart) { add(.control, part.chunk.json) }

    mutating func output(_ chunks: [UIChunk]) { for chunk in chunks { add(.output, chunk.json) } }
}
