import AgentWire

/// A tool call of a turn's open step, as the log tells it: made by the model
/// (`tool-input-available`), perhaps started (`toolCallStarted`, written and
/// durable before the tool runs), perhaps ended. After a crash this is what
/// decides, per call, whether its result is reused, it runs, or the model is
/// told it was interrupted (`StepLoop.CallRecovery`).
public struct RecordedToolCall: Sendable, Hashable, Codable {
    public var toolCallId: String
    public var toolName: String
    public var input: JSONValue
    /// Its start was recorded: the tool may have run, wholly or in part.
    public var started = false
    /// It has its final output, error or denial: the tool's work is done.
    public var ended = false
    /// It waits for a person's approval (`tool-approval-request` was written).
    public var approvalRequested = false

    /// - Parameters:
    ///   - toolCallId: The model's id of the call.
    ///   - toolName: The tool it calls.
    ///   - input: Its input.
    public init(toolCallId: String, toolName: String, input: JSONValue) {
        self.toolCallId = toolCallId
        self.toolName = toolName
        self.input = input
    }

    var call: ModelToolCall { ModelToolCall(id: toolCallId, name: toolName, input: input) }
}

extension TurnCheckpoint {
    /// Folds the tool chunks of the turn: the open step's calls, and which
    /// calls of the turn started and have not ended.
    mutating func applyToolChunk(_ chunk: UIChunk) {
        switch chunk {
        case .startStep, .finishStep:
            openStepCalls = []
        case .toolInputAvailable(let callId, let name, let input):
            openStepCalls.removeAll { $0.toolCallId == callId }
            openStepCalls.append(RecordedToolCall(toolCallId: callId, toolName: name, input: input))
        case .toolApprovalRequest(_, let callId):
            updateCall(callId) { $0.approvalRequested = true }
        case .toolOutputAvailable(let callId, _), .toolOutputError(let callId, _), .toolOutputDenied(let callId):
            updateCall(callId) { $0.ended = true }
            unfinishedStarts.remove(callId)
        default:
            break
        }
    }

    /// A `toolCallStarted` record: the call is about to run.
    mutating func recordStart(ofToolCall callId: String) {
        updateCall(callId) { $0.started = true }
        unfinishedStarts.insert(callId)
    }

    private mutating func updateCall(_ callId: String, _ change: (inout RecordedToolCall) -> Void) {
        guard let index = openStepCalls.firstIndex(where: { $0.toolCallId == callId }) else { return }
        change(&openStepCalls[index])
    }
}
