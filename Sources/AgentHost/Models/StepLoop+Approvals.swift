import AgentWire

/// Human in the loop: a call that needs a person ends the turn instead of
/// running, and the turn that continues the same answer settles the answered
/// calls before its first step (reference/protocols.md §1.6 "Approval continuations").
extension StepLoop {
    /// What the loop does with a tool call the model made.
    enum CallHandling: Sendable, Hashable {
        /// Run it now, in the step that called it.
        case run
        /// Stream `tool-approval-request` and end the turn: a person decides.
        case askApproval
        /// A client-side tool: leave it at `input-available` and end the turn;
        /// the client sends the output. (Also a recovered call whose approval
        /// was asked for before the cut: nothing to stream, the answer continues it.)
        case awaitClient
        /// A recovered call that ended before the cut: its recorded result
        /// stands; nothing runs or streams (StepLoop+Recovery).
        case reuse(ModelMessage)
        /// A recovered call cut off while it ran, whose tool is not safe to
        /// retry: it ends with a `tool-output-error` saying so.
        case interrupted
    }

    /// A call a person answered in the message this turn continues.
    struct AnsweredCall: Sendable, Hashable {
        var call: ModelToolCall
        var approved: Bool
        var reason: String?
    }

    /// The loop's part in human-in-the-loop turns.
    struct Approvals: Sendable {
        /// How each new call is handled.
        var handling: @Sendable (ModelToolCall) async -> CallHandling
        /// Approved or denied calls waiting to be settled, before the first step.
        var answered: [AnsweredCall]

        /// Every call runs; nothing to settle.
        static let none = Approvals(handling: { _ in .run }, answered: [])
    }

    /// The approval id of a call: derived from the call, so a replayed log and a
    /// re-sent request name the same approval.
    static func approvalId(forCall callId: String) -> String {
        "approval-\(callId)"
    }

    /// Streams the approval request of a call that waits for a person; false
    /// for a call that runs now.
    func holdsForAnswer(_ call: ModelToolCall, _ handling: CallHandling) async throws -> Bool {
        switch handling {
        case .run, .reuse, .interrupted:
            return false
        case .askApproval:
            try await emit(.toolApprovalRequest(approvalId: Self.approvalId(forCall: call.id), toolCallId: call.id))
            return true
        case .awaitClient:
            return true
        }
    }

    /// Runs the approved calls and reports the denied ones, streaming their
    /// outputs right after `start` (before the first `start-step`, as the AI SDK
    /// does). Returns the calls and their results for the model, to follow the
    /// conversation: the message they belong to was converted without them.
    /// - Parameters:
    ///   - cutOff: Calls that started before a crash and have no output: an
    ///     approved one runs again only when its tool is safe to retry.
    func settleAnsweredCalls(cutOff: Set<String> = []) async throws -> [ModelMessage] {
        let answered = approvals.answered
        guard !answered.isEmpty else { return [] }
        var results: [ModelMessage] = []
        for answer in answered {
            try Task.checkCancellation()
            if answer.approved, cutOff.contains(answer.call.id), !isRetryable(answer.call.name) {
                results.append(try await reportInterrupted(answer.call))
            } else if answer.approved {
                results.append(try await runTool(answer.call))
            } else {
                try await emit(.toolOutputDenied(toolCallId: answer.call.id))
                results.append(.deniedToolResult(callId: answer.call.id, name: answer.call.name, reason: answer.reason))
            }
        }
        return [.assistant(text: "", toolCalls: answered.map(\.call))] + results
    }

    /// Runs one call through the plugin, streams its output or error, and
    /// returns the result message for the model.
    func runTool(_ call: ModelToolCall) async throws -> ModelMessage {
        try await report(call, await callTool(call))
    }

    /// Streams a finished call's output or error and returns the result message
    /// for the model: the tool's compact form when it gave one, recorded first
    /// so that later turns give the model the same.
    func report(_ call: ModelToolCall, _ result: Result<ToolOutput, ToolFailure>) async throws -> ModelMessage {
        switch result {
        case .success(let output):
            if let modelOutput = output.modelOutput { try await recordModelOutput(call.id, modelOutput) }
            try await emit(.toolOutputAvailable(toolCallId: call.id, output: output.output))
            return .toolResult(callId: call.id, name: call.name, output: output.modelOutput ?? output.output, isError: false)
        case .failure(let failure):
            try await emit(.toolOutputError(toolCallId: call.id, errorText: failure.message))
            return .toolResult(callId: call.id, name: call.name, output: .string(failure.message), isError: true)
        }
    }
}

extension ModelMessage {
    /// What the model is told about a call a person denied: it did not run.
    static func deniedToolResult(callId: String, name: String, reason: String?) -> ModelMessage {
        let because = reason.map { $0.isEmpty ? "." : ": \($0)" } ?? "."
        return .toolResult(
            callId: callId, name: name, output: .string("The user denied this call; the tool did not run\(because)"),
            isError: true
        )
    }
}
