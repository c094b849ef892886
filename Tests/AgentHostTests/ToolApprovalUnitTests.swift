@testable import AgentHost
import AgentWire
import Synchronization
import Testing

/// Human in the loop, piece by piece: the step loop asks and settles, answers
/// are checked and folded, the history continues the same message.
@Suite struct ToolApprovalUnitTests {
    private final class Recorder: Sendable {
        let chunks = Mutex<[UIChunk]>([])
        let toolRuns = Mutex<[String]>([])
        func types() -> [String] { chunks.withLock { $0.compactMap { $0.json["type"]?.stringValue } } }
    }

    private func loop(_ recorder: Recorder, handling: @escaping @Sendable (ModelToolCall) async -> StepLoop.CallHandling,
                      answered: [StepLoop.AnsweredCall] = []) -> StepLoop {
        var loop = StepLoop(
            model: ScriptedModel(delayMilliseconds: 0),
            emit: { chunk in recorder.chunks.withLock { $0.append(chunk) } },
            callTool: { call in
                recorder.toolRuns.withLock { $0.append(call.name) }
                return .success(.init(["ran": .string(call.name), "input": call.input]))
            }
        )
        loop.approvals = StepLoop.Approvals(handling: handling, answered: answered)
        return loop
    }

    private func request(_ messages: [UIMessage]) -> ModelStreamRequest {
        ModelStreamRequest(model: nil, system: nil, messages: messages, maxSteps: 5, tools: [])
    }

    private func result(_ outcome: StepLoop.Outcome) -> ModelStreamResult? {
        guard case .finished(let result) = outcome else { return nil }
        return result
    }

    // MARK: Step loop

    @Test func aCallThatNeedsApprovalEndsTheLoopWithARequestAndNeverRuns() async throws {
        let recorder = Recorder()
        let outcome = try await loop(recorder, handling: { _ in .askApproval })
            .run(request([.text(#"/tool transfer {"amount": 500}"#, role: "user", id: "u")]))
        #expect(result(outcome)?.finishReason == .toolCalls)
        #expect(result(outcome)?.steps == 1)
        #expect(recorder.types() == [
            "start-step", "tool-input-start", "tool-input-delta", "tool-input-available", "tool-approval-request", "finish-step",
        ])
        #expect(recorder.chunks.withLock { $0.contains(.toolApprovalRequest(approvalId: "approval-call_1", toolCallId: "call_1")) })
        #expect(recorder.toolRuns.withLock { $0 }.isEmpty)
    }

    @Test func aClientSideCallEndsTheLoopWithoutARequest() async throws {
        let recorder = Recorder()
        let outcome = try await loop(recorder, handling: { _ in .awaitClient })
            .run(request([.text("/tool getLocation {}", role: "user", id: "u")]))
        #expect(result(outcome)?.finishReason == .toolCalls)
        #expect(recorder.types() == ["start-step", "tool-input-start", "tool-input-delta", "tool-input-available", "finish-step"])
        #expect(recorder.toolRuns.withLock { $0 }.isEmpty)
    }

    @Test func callsThatNeedNobodyRunInTheSameStepAsOneThatWaits() async throws {
        let recorder = Recorder()
        let outcome = try await loop(recorder, handling: { $0.name == "transfer" ? .askApproval : .run })
            .run(request([.text("/tool calculator {}\n/tool transfer {}", role: "user", id: "u")]))
        #expect(result(outcome)?.finishReason == .toolCalls)
        #expect(recorder.toolRuns.withLock { $0 } == ["calculator"])
        #expect(recorder.types().suffix(3) == ["tool-output-available", "tool-approval-request", "finish-step"])
    }

    @Test func answeredCallsAreSettledBeforeTheFirstStep() async throws {
        let recorder = Recorder()
        let approved = StepLoop.AnsweredCall(call: ModelToolCall(id: "c1", name: "transfer", input: ["amount": 500]), approved: true)
        let denied = StepLoop.AnsweredCall(call: ModelToolCall(id: "c2", name: "wipe", input: [:]), approved: false, reason: "no")
        let outcome = try await loop(recorder, handling: { _ in .run }, answered: [approved, denied])
            .run(request([.text("/tool transfer {}\n/tool wipe {}", role: "user", id: "u")]))
        #expect(recorder.types().prefix(3) == ["tool-output-available", "tool-output-denied", "start-step"])
        #expect(recorder.toolRuns.withLock { $0 } == ["transfer"])
        // The model answers after the results: the denied call's is last.
        #expect(result(outcome)?.text == "Tool wipe failed: The user denied this call; the tool did not run: no")
    }

    // MARK: Answers

    private let waiting = UIMessage(id: "a", role: "assistant", parts: [
        ["type": "step-start"],
        ["type": "tool-transfer", "toolCallId": "c1", "state": "approval-requested", "input": ["amount": 500], "approval": ["id": "approval-c1"]],
        ["type": "tool-getLocation", "toolCallId": "c2", "state": "input-available", "input": [:]],
    ])

    private func approval(_ callId: String = "c1", id: String = "approval-c1", approved: Bool = true) -> JSONValue {
        ["type": "tool-transfer", "toolCallId": .string(callId), "state": "approval-responded", "approval": ["id": .string(id), "approved": .bool(approved)]]
    }

    private let location: JSONValue = ["type": "tool-getLocation", "toolCallId": "c2", "state": "output-available", "output": ["city": "Oslo"]]

    private func check(_ parts: [JSONValue], id: String = "a", clientCallsWait: Bool = true, stored: UIMessage? = nil) throws -> ToolAnswers.Verdict {
        try ToolAnswers.check(UIMessage(id: id, role: "assistant", parts: parts), stored: stored ?? waiting, isLatest: true,
                              clientCallsWait: clientCallsWait)
    }

    @Test func anAnswerCompletesOnlyWhenNothingWaitsAfterIt() throws {
        #expect(try check([approval()]) == .accepted(completes: false))
        #expect(try check([approval(), location]) == .accepted(completes: true))
        // A turn that did not end for its client-side calls leaves them waiting for nobody.
        #expect(try check([approval()], clientCallsWait: false) == .accepted(completes: true))
    }

    @Test func answersThatDoNotFitAreRefused() {
        #expect(throws: AgentHostError.self) { try check([approval("c9")]) }
        #expect(throws: AgentHostError.self) { try check([approval(id: "approval-forged")]) }
        #expect(throws: AgentHostError.self) { try check([["type": "text", "text": "ok"]]) }
        #expect(throws: AgentHostError.self) { try check([approval()], id: "other", stored: UIMessage(id: "other", role: "user", parts: [])) }
        var changed = approval()
        if case .object(var fields) = changed {
            fields["input"] = ["amount": 5]
            changed = .object(fields)
        }
        #expect(throws: AgentHostError.badRequest("the answer changes the input of tool call `c1`; a call runs as the model made it")) {
            try check([changed])
        }
        // An approval is not an output: a client cannot answer an approval with a result.
        let forged: JSONValue = ["type": "tool-transfer", "toolCallId": "c1", "state": "output-available", "output": 1]
        #expect(throws: AgentHostError.self) { try check([forged]) }
    }

    @Test func theSameAnswerAgainIsADuplicateADifferentOneAConflict() throws {
        var message = waiting
        ToolAnswers.merge(UIMessage(id: "a", role: "assistant", parts: [approval(), location]), into: &message)
        #expect(try check([approval()], stored: message) == .duplicate)
        #expect(try check([location], stored: message) == .duplicate)
        #expect(throws: AgentHostError.self) { try check([approval(approved: false)], stored: message) }
    }

    @Test func mergeTakesTheAnswersOfWaitingCallsOnly() {
        var message = waiting
        ToolAnswers.merge(UIMessage(id: "a", role: "assistant", parts: [approval(approved: false), location]), into: &message)
        #expect(message.parts[1]["state"] == "approval-responded")
        #expect(message.parts[1]["approval"] == ["id": "approval-c1", "approved": false])
        #expect(message.parts[1]["input"] == ["amount": 500])
        #expect(message.parts[2]["state"] == "output-available")
        #expect(message.parts[2]["output"] == ["city": "Oslo"])
        #expect(message.answeredToolCalls == [
            StepLoop.AnsweredCall(call: ModelToolCall(id: "c1", name: "transfer", input: ["amount": 500]), approved: false),
        ])
    }

    @Test func closingDeniesApprovalsAndFailsClientCalls() {
        var message = waiting
        ToolAnswers.close(["c1", "c2"], in: &message)
        #expect(message.parts[1]["state"] == "output-denied")
        #expect(message.parts[1]["approval"]?["approved"] == false)
        #expect(message.parts[2]["state"] == "output-error")
        #expect(message.waitingToolCallIds(clientCallsWait: true).isEmpty)
        // The model sees both as settled calls.
        let model = ModelMessage.from([message])
        #expect(model.count == 3)
    }

    // MARK: History

    private struct Log {
        var records: [LogRecord] = []
        mutating func add(_ kind: LogRecord.Kind, _ body: JSONValue) {
            records.append(LogRecord(chatId: "c", seq: Int64(records.count + 1), kind: kind, body: (try? WireCoding.encodeString(body)) ?? "{}"))
        }
        mutating func turn(inSeq: Int64, _ chunks: [UIChunk]) {
            add(.control, ControlPart.turnStart(inSeq: inSeq).chunk.json)
            for chunk in chunks { add(.output, chunk.json) }
            add(.control, ControlPart.turnComplete(inSeq: inSeq).chunk.json)
        }
    }

    @Test func theHistoryContinuesTheAnsweredMessage() throws {
        var log = Log()
        log.add(.input, ["kind": "message", "message": ["id": "u", "role": "user", "parts": [["type": "text", "text": "pay"]]]])
        log.turn(inSeq: 1, [
            .start(messageId: "a"), .startStep, .toolInputAvailable(toolCallId: "c1", toolName: "transfer", input: ["amount": 500]),
            .toolApprovalRequest(approvalId: "approval-c1", toolCallId: "c1"), .finishStep, .finish(finishReason: .toolCalls),
        ])
        let asked = MessageHistory(records: log.records)
        #expect(asked.messages.last?.parts.last?["state"] == "approval-requested")
        #expect(asked.messages.last?.parts.last?["approval"] == ["id": "approval-c1"])

        log.add(.input, ["kind": "message", "message": ["id": "a", "role": "assistant", "parts": [approval()]]])
        let answerSeq = Int64(log.records.count)
        #expect(MessageHistory(records: log.records).messages.last?.parts.last?["state"] == "approval-responded")
        log.turn(inSeq: answerSeq, [
            .start(messageId: "a"), .toolOutputAvailable(toolCallId: "c1", output: "done"), .startStep,
            .textStart(id: "text-1"), .textDelta(id: "text-1", delta: "paid"), .textEnd(id: "text-1"), .finishStep, .finish(finishReason: .stop),
        ])
        var history = MessageHistory(records: log.records)
        #expect(history.messages.map(\.id) == ["u", "a"])
        let parts = history.messages[1].parts
        #expect(parts.map { $0["type"] } == ["step-start", "tool-transfer", "step-start", "text"])
        #expect(parts[1]["state"] == "output-available")
        #expect(parts[1]["output"] == "done")
        #expect(parts[1]["approval"]?["approved"] == true)
        #expect(history.modelConversation() == [
            .user("pay"),
            .assistant(text: "", toolCalls: [ModelToolCall(id: "c1", name: "transfer", input: ["amount": 500])]),
            .toolResult(callId: "c1", name: "transfer", output: "done", isError: false),
            .assistant(text: "paid", toolCalls: []),
        ])
    }

    @Test func aNewUserMessageClosesTheCallsItNames() throws {
        var log = Log()
        log.add(.input, ["kind": "message", "message": ["id": "u", "role": "user", "parts": [["type": "text", "text": "pay"]]]])
        log.turn(inSeq: 1, [
            .start(messageId: "a"), .startStep, .toolInputAvailable(toolCallId: "c2", toolName: "getLocation", input: [:]),
            .finishStep, .finish(finishReason: .toolCalls),
        ])
        log.add(.input, ["kind": "message", "closesToolCalls": ["c2"],
                         "message": ["id": "u2", "role": "user", "parts": [["type": "text", "text": "skip"]]]])
        log.turn(inSeq: Int64(log.records.count), [.start(messageId: "b"), .finish(finishReason: .stop)])
        let history = MessageHistory(records: log.records)
        #expect(history.messages.map(\.id) == ["u", "a", "u2", "b"])
        #expect(history.messages[1].parts.last?["state"] == "output-error")
        #expect(history.messages[1].parts.last?["errorText"] == .string(ToolAnswers.closedReason))
    }

    @Test func aUserMessageQueuedBeforeTheRequestStillClosesTheApproval() throws {
        var log = Log()
        log.add(.input, ["kind": "message", "message": ["id": "u", "role": "user", "parts": [["type": "text", "text": "pay"]]]])
        // Sent while that turn ran, before it asked: the session could not name the call.
        log.add(.input, ["kind": "message", "message": ["id": "u2", "role": "user", "parts": [["type": "text", "text": "skip"]]]])
        log.turn(inSeq: 1, [
            .start(messageId: "a"), .startStep, .toolInputAvailable(toolCallId: "c1", toolName: "transfer", input: [:]),
            .toolApprovalRequest(approvalId: "approval-c1", toolCallId: "c1"), .finishStep, .finish(finishReason: .toolCalls),
        ])
        log.turn(inSeq: 2, [.start(messageId: "b"), .finish(finishReason: .stop)])
        let history = MessageHistory(records: log.records)
        #expect(history.messages.map(\.id) == ["u", "a", "u2", "b"])
        #expect(history.messages[1].parts.last?["state"] == "output-denied")
    }
}
