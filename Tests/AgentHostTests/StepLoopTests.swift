@testable import AgentHost
import AgentWire
import Synchronization
import Testing

/// The host-owned step loop with the scripted model and a real tool closure.
@Suite struct StepLoopTests {
    private final class Recorder: Sendable {
        let chunks = Mutex<[UIChunk]>([])
        func types() -> [String] { chunks.withLock { $0.compactMap { $0.json["type"]?.stringValue } } }
    }

    private func loop(_ recorder: Recorder) -> StepLoop {
        StepLoop(
            model: ScriptedModel(delayMilliseconds: 0),
            emit: { chunk in recorder.chunks.withLock { $0.append(chunk) } },
            callTool: { call in
                guard call.name == "add", let a = call.input["a"]?.doubleValue, let b = call.input["b"]?.doubleValue else {
                    return .failure(.init(message: "unknown tool \(call.name)"))
                }
                return .success(.init(.number(a + b)))
            }
        )
    }

    private func request(_ text: String, maxSteps: Int = 5) -> ModelStreamRequest {
        ModelStreamRequest(model: nil, system: nil, messages: [.text(text, role: "user", id: "u")], maxSteps: maxSteps, tools: [])
    }

    @Test func aToolRoundTripIsTwoSteps() async throws {
        let recorder = Recorder()
        let result = try finished(await loop(recorder).run(request(#"/tool add {"a": 2.5, "b": 3}"#)))
        #expect(result.steps == 2)
        #expect(result.finishReason == .stop)
        #expect(result.text == "add returned 5.5")
        #expect(recorder.types() == [
            "start-step", "tool-input-start", "tool-input-delta", "tool-input-available", "tool-output-available", "finish-step",
            "start-step", "text-start", "text-delta", "text-delta", "text-delta", "text-end", "finish-step",
        ])
        #expect(recorder.chunks.withLock { $0.contains(.toolOutputAvailable(toolCallId: "call_1", output: 5.5)) })
    }

    @Test func aFailingToolIsAToolOutputErrorAndTheStepLimitHolds() async throws {
        let recorder = Recorder()
        let result = try finished(await loop(recorder).run(request("/tool nope {}", maxSteps: 1)))
        #expect(result.steps == 1)
        #expect(result.finishReason == .toolCalls)
        #expect(recorder.chunks.withLock { $0.contains(.toolOutputError(toolCallId: "call_1", errorText: "unknown tool nope")) })
    }

    @Test func aResumedStepContinuesTheSameTextPart() async throws {
        let resumePoint = StepLoop.ResumePoint(
            stepsCompleted: 0, openStep: StepLoop.OpenStep(textId: "text-1", reasoningId: nil, prefix: "1 2")
        )
        let recorder = Recorder()
        let messages: [UIMessage] = [
            .text("/slow 4", role: "user", id: "u"),
            UIMessage(id: "a", role: "assistant", parts: [["type": "step-start"], ["type": "text", "text": "1 2"]]),
        ]
        let request = ModelStreamRequest(model: nil, system: nil, messages: messages, maxSteps: 3, tools: [])
        let result = try finished(await loop(recorder).run(request, resumingFrom: resumePoint))
        #expect(recorder.chunks.withLock { $0 } == [
            .textDelta(id: "text-1", delta: " 3"), .textDelta(id: "text-1", delta: " 4"), .textEnd(id: "text-1"), .finishStep,
        ])
        #expect(result.text == "1 2 3 4")
        #expect(result.steps == 1)
    }

    @Test func aCheckpointTellsTheLoopWhereToContinue() {
        var checkpoint = TurnCheckpoint(inSeq: 1)
        checkpoint.stepsCompleted = 2
        #expect(checkpoint.resumePoint == StepLoop.ResumePoint(stepsCompleted: 2, openStep: nil))
        checkpoint.stepOpen = true
        checkpoint.openTextId = "text-3"
        checkpoint.partialStepText = "1 2"
        #expect(checkpoint.resumePoint.openStep == StepLoop.OpenStep(textId: "text-3", reasoningId: nil, prefix: "1 2"))
    }

    @Test func aYieldAtAStepBoundaryIsTheLoopsResultAfterACompletedStep() async throws {
        let recorder = Recorder()
        var loop = loop(recorder)
        loop.yieldAtStepBoundary = { true }
        let outcome = try await loop.run(request(#"/tool add {"a": 1, "b": 2}"#))
        guard case .yieldedAtStepBoundary(let steps) = outcome else {
            Issue.record("expected a yield at the step boundary, got \(outcome)")
            return
        }
        #expect(steps == 1)
        // The first step is complete, tool result included; the second never started.
        #expect(recorder.types().last == "finish-step")
        #expect(recorder.types().filter { $0 == "start-step" }.count == 1)
        #expect(recorder.chunks.withLock { $0.contains(.toolOutputAvailable(toolCallId: "call_1", output: 3)) })
    }

    @Test func aLoopThatNeverYieldsFinishes() async throws {
        var loop = loop(Recorder())
        loop.yieldAtStepBoundary = { false }
        let result = try finished(await loop.run(request(#"/tool add {"a": 1, "b": 2}"#)))
        #expect(result.steps == 2)
    }

    private func finished(_ outcome: StepLoop.Outcome) throws -> ModelStreamResult {
        guard case .finished(let result) = outcome else { throw StepLoopTestFailure(outcome: "\(outcome)") }
        return result
    }

    private struct StepLoopTestFailure: Error {
        let outcome: String
    }
}
