import AgentWire

/// A step cut off after its model stream ended — its tools were running when
/// the daemon or the agent's worker died — is finished from its records, not
/// asked of the model again: finished tool work is never repeated, and a call
/// that may have had effects runs again only when its tool says that is safe
/// (README, "Tools after a crash").
extension StepLoop {
    /// What recovery does with one tool call of such a step.
    enum CallRecovery: Sendable, Hashable {
        /// It ended before the cut: its recorded output stands and it does not run.
        case reuse
        /// It never started: it is handled as any new call (run, or wait for a person).
        case handle
        /// Its approval was asked for already: the request stands, the turn ends after the step.
        case awaitAnswer
        /// It started, and its tool is safe to retry: it runs again with the same call id.
        case runAgain
        /// It started, and its tool is not safe to retry: it ends with an interrupted error.
        case interrupted
    }

    /// Decides what happens to one recorded call of a cut-off step.
    /// - Parameters:
    ///   - call: The call as the log recorded it.
    ///   - retryable: Whether its tool declares itself safe to run again.
    static func recovery(of call: RecordedToolCall, retryable: Bool) -> CallRecovery {
        if call.ended { return .reuse }
        if call.approvalRequested { return .awaitAnswer }
        if call.started { return retryable ? .runAgain : .interrupted }
        return .handle
    }

    /// Whether the cut-off step's model stream had ended: a call started, ended
    /// or was put to a person only once it had (tools run after the stream).
    /// Otherwise no tool ran, and the step is asked of the model again.
    static func streamEnded(_ calls: [RecordedToolCall]) -> Bool {
        calls.contains { $0.started || $0.ended || $0.approvalRequested }
    }

    /// The error text of a call that was cut off and is not run again: what the model reads.
    static func interruptedText(tool: String) -> String {
        "tool `\(tool)` was interrupted by a restart while it ran (the daemon or the agent's worker stopped) "
            + "and was not run again, because the tool is not marked safe to retry; whether it took effect is "
            + "unknown. Check before calling it again."
    }

    /// Streams the error of a call that was cut off and is not run again, and
    /// returns its result for the model.
    func reportInterrupted(_ call: ModelToolCall) async throws -> ModelMessage {
        try await report(call, .failure(ToolFailure(message: Self.interruptedText(tool: call.name))))
    }

    /// Finishes a step cut off after its model stream ended: the calls that
    /// ended keep their results, the others run, run again or end as
    /// interrupted, in call order. `messages` loses the step's own messages as
    /// the history converted them; the loop appends the whole step after it.
    func finishCutOffStep(_ open: OpenStep, messages: inout [ModelMessage]) async throws -> StepOutcome {
        let calls = open.toolCalls
        let endedResults = Self.takeCutOffStep(from: &messages, text: open.prefix, ended: calls.filter(\.ended).map(\.toolCallId))
        var recovered: [String: CallHandling] = [:]
        for recorded in calls {
            switch Self.recovery(of: recorded, retryable: isRetryable(recorded.toolName)) {
            case .reuse:
                // The history's result when it has one; an ended call the
                // conversation lacks still gets the model a result, not a gap.
                recovered[recorded.toolCallId] = .reuse(
                    endedResults[recorded.toolCallId]
                        ?? .toolResult(callId: recorded.toolCallId, name: recorded.toolName, output: .null, isError: false)
                )
            case .awaitAnswer: recovered[recorded.toolCallId] = .awaitClient
            case .runAgain: recovered[recorded.toolCallId] = .run
            case .interrupted: recovered[recorded.toolCallId] = .interrupted
            case .handle: break
            }
        }
        var outcome = StepOutcome()
        outcome.text = open.prefix
        outcome.finishReason = .toolCalls
        outcome.toolCalls = calls.map(\.call)
        (outcome.toolResults, outcome.awaitsAnswer) = try await runCalls(outcome.toolCalls, recovered: recovered)
        return outcome
    }

    /// Removes the cut-off step from the end of `messages` — its text and the
    /// calls that had ended, then their results, as `ModelMessage.from` made
    /// them — and returns those results by call id. A conversation that does
    /// not end that way (a plugin's own) is left as it is.
    static func takeCutOffStep(from messages: inout [ModelMessage], text: String, ended: [String]) -> [String: ModelMessage] {
        guard !text.isEmpty || !ended.isEmpty else { return [:] }
        let count = ended.count + 1
        guard messages.count >= count else { return [:] }
        let tail = messages.suffix(count)
        guard case .assistant(let stepText, let calls, _)? = tail.first, stepText == text, calls.map(\.id) == ended else {
            return [:]
        }
        var results: [String: ModelMessage] = [:]
        for (message, callId) in zip(tail.dropFirst(), ended) {
            guard case .toolResult(callId, _, _, _) = message else { return [:] }
            results[callId] = message
        }
        messages.removeLast(count)
        return results
    }
}
