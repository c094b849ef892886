import AgentWire

/// How far a turn got, as its log records tell it. This is the checkpoint a turn
/// resumes from after a crash or on a new generation: the log is persisted before
/// anyone sees it, so whatever a client saw is in here. `MessageHistory` folds it
/// from the log; the turn runner hands the step loop its `resumePoint`.
public struct TurnCheckpoint: Sendable, Hashable, Codable {
    /// The input record that started the turn.
    public var inSeq: Int64
    /// Steps that reached `finish-step`.
    public var stepsCompleted = 0
    /// A step was started and not finished: it was cut off mid-stream.
    public var stepOpen = false
    /// Text streamed so far in the open step; sent back so the answer continues.
    public var partialStepText = ""
    /// A text or reasoning part still open in the open step.
    public var openTextId: String?
    public var openReasoningId: String?
    /// The response already ended (`finish`, `abort` or `error`); only `turn-complete` is missing.
    public var responseEnded = false
    /// Whether `start` was written, so a resumed turn must not write it again.
    public var started = false
    /// A `stop` input arrived while the turn ran: it is not resumed, only closed.
    public var stopRequested = false

    public init(inSeq: Int64) {
        self.inSeq = inSeq
    }

    mutating func apply(_ chunk: UIChunk) {
        switch chunk {
        case .start: started = true
        case .startStep:
            stepOpen = true
            partialStepText = ""
        case .finishStep:
            stepOpen = false
            stepsCompleted += 1
            partialStepText = ""
            openTextId = nil
            openReasoningId = nil
        case .textStart(let id): openTextId = id
        case .textDelta(_, let delta): partialStepText += delta
        case .textEnd: openTextId = nil
        case .reasoningStart(let id): openReasoningId = id
        case .reasoningEnd: openReasoningId = nil
        case .finish, .abort, .error: responseEnded = true
        default: break
        }
    }
}

extension TurnCheckpoint {
    /// What the step loop needs to continue this turn.
    var resumePoint: StepLoop.ResumePoint {
        StepLoop.ResumePoint(
            stepsCompleted: stepsCompleted,
            openStep: stepOpen
                ? StepLoop.OpenStep(textId: openTextId, reasoningId: openReasoningId, prefix: partialStepText)
                : nil
        )
    }
}
