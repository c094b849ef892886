@testable import AgentHost
import AgentWire
import Foundation
import Synchronization
import TestSupport
import Testing

/// The host's part of call-aware tools, without a daemon: preliminary outputs
/// and compact model outputs folded into the history (and its snapshots), and
/// the calls of one step running together with their outputs in call order.
@Suite struct ToolContextUnitTests {
    private func record(_ seq: Int, _ kind: LogRecord.Kind, _ body: JSONValue) -> LogRecord {
        LogRecord(chatId: "c", seq: Int64(seq), kind: kind, body: (try? WireCoding.encodeString(body)) ?? "{}")
    }

    private var records: [LogRecord] {
        let message: JSONValue = ["id": "u1", "role": "user", "parts": [["type": "text", "text": "go"]]]
        var bodies: [(LogRecord.Kind, JSONValue)] = [
            (.input, ["kind": "message", "message": message]),
            (.control, ControlPart.turnStart(inSeq: 1).chunk.json),
        ]
        let chunks: [UIChunk] = [
            .start(messageId: "a1"), .startStep, .toolInputAvailable(toolCallId: "c1", toolName: "research", input: ["topic": "tides"]),
            .toolOutputPreliminary(toolCallId: "c1", output: ["read": 0]),
            .toolOutputPreliminary(toolCallId: "c1", output: ["read": 1]),
        ]
        bodies += chunks.map { (.output, $0.json) }
        bodies.append((.state, LogEntry.toolModelOutput(toolCallId: "c1", ["summary": "short"]).body))
        bodies += [UIChunk.toolOutputAvailable(toolCallId: "c1", output: ["summary": "short", "sources": [1, 2, 3]]), .finishStep,
                   .startStep, .textStart(id: "t"), .textDelta(id: "t", delta: "ok"), .textEnd(id: "t"), .finishStep,
                   .finish(finishReason: .stop)].map { (.output, $0.json) }
        bodies.append((.control, ControlPart.turnComplete(inSeq: 1).chunk.json))
        return bodies.enumerated().map { record($0.offset + 1, $0.element.0, $0.element.1) }
    }

    @Test func preliminaryOutputsShowUntilTheFinalOneAndNeverReachTheModel() {
        // Cut after the second preliminary output: the call is still running.
        var running = MessageHistory(records: Array(records.prefix(7)))
        let part = running.messages.last?.toolParts.first?.part
        #expect(part?.state == "output-available")
        #expect(running.messages.last?.parts.last?["preliminary"] == true)
        #expect(running.messages.last?.parts.last?["output"] == ["read": 1])
        // A call with only progress has no result: the model does not get the call.
        #expect(running.modelConversation() == [.user("go")])

        var done = MessageHistory(records: records)
        let final = done.messages.last?.parts.first { $0["type"] == "tool-research" }
        #expect(final?["preliminary"] == nil)
        #expect(final?["output"] == ["summary": "short", "sources": [1, 2, 3]])
        // The model gets the compact form; the message keeps the full output.
        #expect(done.modelConversation() == [
            .user("go"),
            .assistant(text: "", toolCalls: [ModelToolCall(id: "c1", name: "research", input: ["topic": "tides"])]),
            .toolResult(callId: "c1", name: "research", output: ["summary": "short"], isError: false),
            .assistant(text: "ok", toolCalls: []),
        ])
    }

    @Test func theCompactFormSurvivesASnapshotAtEverySplit() throws {
        let all = records
        var whole = MessageHistory(records: all)
        for split in 0...all.count {
            let head = MessageHistory(records: Array(all[..<split]))
            let stored = try HistorySnapshot(chatId: "c", history: head.snapshot(throughSeq: Int64(split)))
            var woken = MessageHistory(snapshot: try stored.history(), records: Array(all[split...]))
            #expect(woken.modelConversation() == whole.modelConversation(), "split after seq \(split)")
        }
    }

    @Test func callsOfAStepRunTogetherAndReportInCallOrder() async throws {
        let chunks = Mutex<[UIChunk]>([])
        let started = Mutex<Set<String>>([])
        let recorded = Mutex<[String: JSONValue]>([:])
        var loop = StepLoop(
            model: ScriptedModel(delayMilliseconds: 0),
            emit: { chunk in chunks.withLock { $0.append(chunk) } },
            callTool: { call in
                started.withLock { _ = $0.insert(call.name) }
                // `slow` ends only after `fast` has started: run one after the other, it never would.
                if call.name == "slow" {
                    while !started.withLock({ $0.contains("fast") }) { try? await Task.sleep(for: .milliseconds(1)) }
                    return .success(.init(["full": "slow output"], modelOutput: "slow, compact"))
                }
                return .success(.init("fast output"))
            }
        )
        loop.recordModelOutput = { callId, output in recorded.withLock { $0[callId] = output } }
        let outcome = try await loop.run(ModelStreamRequest(
            model: nil, system: nil, messages: [.text("/tool slow {}\n/tool fast {}", role: "user", id: "u")], maxSteps: 2, tools: []
        ))
        let outputs = chunks.withLock { $0 }.compactMap { chunk -> String? in
            if case .toolOutputAvailable(let id, _) = chunk { id } else { nil }
        }
        #expect(outputs == ["call_1", "call_1_2"])
        #expect(recorded.withLock { $0 } == ["call_1": "slow, compact"])
        // The model answers the last result it got, in call order: `fast`'s.
        guard case .finished(let result) = outcome else { throw TestFailure("the loop yielded") }
        #expect(result.text == #"fast returned "fast output""#)
    }
}
