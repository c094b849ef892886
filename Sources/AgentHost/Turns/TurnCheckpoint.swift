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
    /// `data-interrupted` records so far: how often the turn was cut off (a
    /// daemon that died, a worker that crashed) and resumed. The recovery
    /// budget is counted against it, so a poison turn stops being retried.
    public var interruptions = 0
    /// The chat's turn count at this turn, 1 for its first.
    public var number = 0
    /// Why the turn runs, from the input that started it (nil: an older log's turn).
    public var reason: TurnReason?
    /// The client's `metadata` sent with that input.
    public var metadata: JSONValue?
    /// Tokens the turn used so far, summed from its `usage` message metadata.
    public var usage: ModelUsage?
    /// Tokens the chat used before this turn.
    public var usageBefore: ModelUsage?
    /// How the response ended: its `finish` reason, an `abort`, an `error`'s text.
    public var finishReason: FinishReason?
    public var stopped = false
    public var errorText: String?
    /// The tool calls of the open step, in the order the model made them.
    public var openStepCalls: [RecordedToolCall] = []
    /// Calls of this turn whose start was recorded and that have no output
    /// yet: cut off while they ran, when the turn was cut off.
    public var unfinishedStarts: Set<String> = []
    /// The id of the turn's first answer message (steered messages and their
    /// answers follow it): where the answer a compaction between steps keeps
    /// whole starts (set by `MessageHistory`; an id, so a fold without messages agrees).
    public var answerMessageId: String?

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
        case .finish(let reason):
            responseEnded = true
            finishReason = reason
        case .abort:
            responseEnded = true
            stopped = true
        case .error(let text):
            responseEnded = true
            errorText = text
        case .messageMetadata(let metadata):
            usage = ModelUsage.combine(usage, ModelUsage(reported: metadata))
        default: break
        }
        applyToolChunk(chunk)
    }
}

extension TurnCheckpoint {
    private enum CodingKeys: String, CodingKey {
        case inSeq, stepsCompleted, stepOpen, partialStepText, openTextId, openReasoningId, responseEnded, started
        case stopRequested, interruptions, number, reason, metadata, usage, usageBefore
        case finishReason, stopped, errorText, openStepCalls, unfinishedStarts, answerMessageId
    }

    /// Reads a checkpoint; one stored before `interruptions` existed counts
    /// none, one stored before tool calls were recorded has none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        inSeq = try container.decode(Int64.self, forKey: .inSeq)
        stepsCompleted = try container.decode(Int.self, forKey: .stepsCompleted)
        stepOpen = try container.decode(Bool.self, forKey: .stepOpen)
        partialStepText = try container.decode(String.self, forKey: .partialStepText)
        openTextId = try container.decodeIfPresent(String.self, forKey: .openTextId)
        openReasoningId = try container.decodeIfPresent(String.self, forKey: .openReasoningId)
        responseEnded = try container.decode(Bool.self, forKey: .responseEnded)
        started = try container.decode(Bool.self, forKey: .started)
        stopRequested = try container.decode(Bool.self, forKey: .stopRequested)
        interruptions = try container.decodeIfPresent(Int.self, forKey: .interruptions) ?? 0
        number = try container.decodeIfPresent(Int.self, forKey: .number) ?? 0
        reason = try container.decodeIfPresent(TurnReason.self, forKey: .reason)
        metadata = try container.decodeIfPresent(JSONValue.self, forKey: .metadata)
        usage = try container.decodeIfPresent(ModelUsage.self, forKey: .usage)
        usageBefore = try container.decodeIfPresent(ModelUsage.self, forKey: .usageBefore)
        finishReason = try container.decodeIfPresent(FinishReason.self, forKey: .finishReason)
        stopped = try container.decodeIfPresent(Bool.self, forKey: .stopped) ?? false
        errorText = try container.decodeIfPresent(String.self, forKey: .errorText)
        openStepCalls = try container.decodeIfPresent([RecordedToolCall].self, forKey: .openStepCalls) ?? []
        unfinishedStarts = try container.decodeIfPresent(Set<String>.self, forKey: .unfinishedStarts) ?? []
        answerMessageId = try container.decodeIfPresent(String.self, forKey: .answerMessageId)
    }
}

extension TurnCheckpoint {
    /// What the step loop needs to continue this turn.
    var resumePoint: StepLoop.ResumePoint {
        StepLoop.ResumePoint(
            stepsCompleted: stepsCompleted,
            openStep: stepOpen
                ? StepLoop.OpenStep(
                    textId: openTextId, reasoningId: openReasoningId, prefix: partialStepText, toolCalls: openStepCalls
                )
                : nil,
            unfinishedStarts: unfinishedStarts
        )
    }
}

extension ModelUsage {
    /// The usage a `message-metadata` chunk reports (`{"usage": {…}}`, as the
    /// step loop writes it), or nil when it reports none.
    /// - Parameters:
    ///   - metadata: The chunk's `messageMetadata`.
    init?(reported metadata: JSONValue) {
        guard let usage = metadata["usage"], let input = usage["inputTokens"]?.doubleValue,
              let output = usage["outputTokens"]?.doubleValue
        else { return nil }
        self.init(
            inputTokens: Int(input), outputTokens: Int(output), cachedInputTokens: usage["cachedInputTokens"]?.doubleValue.map { Int($0) }
        )
    }
}
