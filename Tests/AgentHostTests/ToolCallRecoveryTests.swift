@testable import AgentHost
import AgentWire
import Synchronization
import Testing

/// After a crash, the tool calls of a step cut off while its tools ran: the
/// log's records say how far each got, and recovery reuses, runs, runs again
/// or reports it interrupted — without asking the model for that step again.
@Suite struct ToolCallRecoveryTests {
    /// The scripted model, counting what it is asked.
    private final class CountingModel: LanguageModel {
        let requests = Mutex<[ModelRequest]>([])
        var identifier: String { "counting" }
        func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
            requests.withLock { $0.append(request) }
            return ScriptedModel(delayMilliseconds: 0).stream(request)
        }
    }

    private final class Recorder: Sendable {
        let chunks = Mutex<[UIChunk]>([])
        let toolRuns = Mutex<[String]>([])
    }

    private func loop(_ recorder: Recorder, model: CountingModel, retryable: Set<String>) -> StepLoop {
        var loop = StepLoop(
            model: model,
            emit: { chunk in recorder.chunks.withLock { $0.append(chunk) } },
            callTool: { call in
                recorder.toolRuns.withLock { $0.append(call.id) }
                return .success(.init(["ran": .string(call.id)]))
            }
        )
        loop.isRetryable = { retryable.contains($0) }
        return loop
    }

    private func call(_ id: String, _ name: String, started: Bool = false, ended: Bool = false) -> RecordedToolCall {
        var call = RecordedToolCall(toolCallId: id, toolName: name, input: [:])
        call.started = started
        call.ended = ended
        return call
    }

    @Test func eachRecordedCallIsReusedRunAgainInterruptedOrHandled() {
        var approval = call("e", "ask")
        approval.approvalRequested = true
        #expect(StepLoop.recovery(of: call("a", "t", started: true, ended: true), retryable: false) == .reuse)
        #expect(StepLoop.recovery(of: call("a", "t", started: true, ended: true), retryable: true) == .reuse)
        #expect(StepLoop.recovery(of: call("b", "t", started: true), retryable: false) == .interrupted)
        #expect(StepLoop.recovery(of: call("c", "t", started: true), retryable: true) == .runAgain)
        #expect(StepLoop.recovery(of: call("d", "t"), retryable: false) == .handle)
        #expect(StepLoop.recovery(of: approval, retryable: false) == .awaitAnswer)
        // No call got past its input: the model's stream may have been cut, so the model is asked again.
        #expect(!StepLoop.streamEnded([call("d", "t"), call("d2", "t")]))
        #expect(StepLoop.streamEnded([call("d", "t"), call("b", "t", started: true)]))
        #expect(StepLoop.streamEnded([call("a", "t", ended: true)]))
        #expect(StepLoop.streamEnded([approval]))
    }

    @Test func theLogsStartRecordsAndOutputsFoldIntoTheCheckpoint() throws {
        var log = MessageHistoryTests.Log()
        let inSeq = log.input("/tool t {}", id: "u")
        log.turn(inSeq: inSeq, [
            .start(messageId: "a"), .startStep,
            .toolInputAvailable(toolCallId: "A", toolName: "t", input: ["n": 1]),
            .toolInputAvailable(toolCallId: "B", toolName: "slow", input: [:]),
            .toolInputAvailable(toolCallId: "C", toolName: "t", input: [:]),
        ], complete: false)
        for id in ["A", "B"] { log.add(.state, LogEntry.toolCallStarted(toolCallId: id).body) }
        log.add(.output, UIChunk.toolOutputPreliminary(toolCallId: "B", output: "half").json)
        log.add(.output, UIChunk.toolOutputAvailable(toolCallId: "A", output: 2).json)
        let history = MessageHistory(records: log.records)
        let checkpoint = try #require(history.turnInProgress)
        #expect(checkpoint.stepOpen)
        #expect(checkpoint.openStepCalls.map(\.toolCallId) == ["A", "B", "C"])
        #expect(checkpoint.openStepCalls.map(\.started) == [true, true, false])
        #expect(checkpoint.openStepCalls.map(\.ended) == [true, false, false])  // a preliminary output is no end
        #expect(checkpoint.openStepCalls.first?.input == ["n": 1])
        #expect(checkpoint.unfinishedStarts == ["B"])
        #expect(checkpoint.resumePoint.openStep?.toolCalls == checkpoint.openStepCalls)
        #expect(checkpoint.resumePoint.unfinishedStarts == ["B"])
        // The start record is private: it adds no part to the message.
        #expect(history.messages.last?.parts.count == 4)

        // A finished step forgets its calls; a checkpoint stored before they were recorded reads as none.
        var finished = checkpoint
        finished.apply(.finishStep)
        #expect(finished.openStepCalls.isEmpty)
        let encoded = try WireCoding.encode(TurnCheckpoint(inSeq: 3))
        var old = try WireCoding.decode(JSONValue.self, from: encoded)
        if case .object(var fields) = old {
            fields["openStepCalls"] = nil
            fields["unfinishedStarts"] = nil
            old = .object(fields)
        }
        #expect(try WireCoding.decode(TurnCheckpoint.self, from: WireCoding.encode(old)).openStepCalls.isEmpty)
    }

    @Test func aStepCutOffWhileItsToolsRanIsFinishedFromTheLogNotAskedAgain() async throws {
        // The model called four tools in step 1: A ended, B and C were running
        // (C's tool is safe to retry), D never started. Then the daemon died.
        let open = StepLoop.OpenStep(
            textId: nil, reasoningId: nil, prefix: "Let me check.",
            toolCalls: [call("A", "t", started: true, ended: true), call("B", "t", started: true), call("C", "retry", started: true), call("D", "t")]
        )
        let resumePoint = StepLoop.ResumePoint(stepsCompleted: 0, openStep: open, unfinishedStarts: ["B", "C"])
        let messages: [UIMessage] = [
            .text("/tool t {}", role: "user", id: "u"),
            UIMessage(id: "a", role: "assistant", parts: [
                ["type": "step-start"], ["type": "text", "text": "Let me check."],
                ["type": "tool-t", "toolCallId": "A", "state": "output-available", "input": [:], "output": "A's output"],
                ["type": "tool-t", "toolCallId": "B", "state": "input-available", "input": [:]],
                ["type": "tool-retry", "toolCallId": "C", "state": "output-available", "input": [:], "output": "half", "preliminary": true],
                ["type": "tool-t", "toolCallId": "D", "state": "input-available", "input": [:]],
            ]),
        ]
        let recorder = Recorder()
        let model = CountingModel()
        let request = ModelStreamRequest(model: nil, system: nil, messages: messages, maxSteps: 3, tools: [])
        let outcome = try await loop(recorder, model: model, retryable: ["retry"]).run(request, resumingFrom: resumePoint)
        guard case .finished(let result) = outcome else {
            Issue.record("the loop did not finish: \(outcome)")
            return
        }

        // C ran again with its id, D ran for the first time; A and B did not run.
        #expect(recorder.toolRuns.withLock { $0 } == ["C", "D"])
        let interrupted = StepLoop.interruptedText(tool: "t")
        let step1 = recorder.chunks.withLock { Array($0.prefix { $0 != .startStep }) }
        #expect(step1 == [
            .toolOutputError(toolCallId: "B", errorText: interrupted),
            .toolOutputAvailable(toolCallId: "C", output: ["ran": "C"]),
            .toolOutputAvailable(toolCallId: "D", output: ["ran": "D"]),
            .finishStep,
        ])
        // The model was asked once, for step 2, with the whole of step 1 and every result in call order.
        let requests = model.requests.withLock { $0 }
        #expect(requests.count == 1)
        #expect(requests.first?.messages.dropFirst() == [
            .assistant(text: "Let me check.", toolCalls: ["A", "B", "C", "D"].map { ModelToolCall(id: $0, name: $0 == "C" ? "retry" : "t", input: [:]) }),
            .toolResult(callId: "A", name: "t", output: "A's output", isError: false),
            .toolResult(callId: "B", name: "t", output: .string(interrupted), isError: true),
            .toolResult(callId: "C", name: "retry", output: ["ran": "C"], isError: false),
            .toolResult(callId: "D", name: "t", output: ["ran": "D"], isError: false),
        ])
        #expect(result.steps == 2)
        #expect(result.text == #"Let me check.t returned {"ran":"D"}"#)
    }

    @Test func anApprovedCallCutOffWhileItRanIsNotRunAgain() async throws {
        let recorder = Recorder()
        var loop = loop(recorder, model: CountingModel(), retryable: [])
        let approved = ModelToolCall(id: "X", name: "transfer", input: [:])
        loop.approvals = StepLoop.Approvals(handling: { _ in .run }, answered: [StepLoop.AnsweredCall(call: approved, approved: true)])
        let settled = try await loop.settleAnsweredCalls(cutOff: ["X"])
        #expect(recorder.toolRuns.withLock { $0 }.isEmpty)
        #expect(settled.last == .toolResult(callId: "X", name: "transfer", output: .string(StepLoop.interruptedText(tool: "transfer")), isError: true))
        // Not cut off: it runs, as an approved call always did.
        _ = try await loop.settleAnsweredCalls()
        #expect(recorder.toolRuns.withLock { $0 } == ["X"])
    }
}
