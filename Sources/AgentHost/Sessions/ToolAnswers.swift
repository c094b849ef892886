import AgentWire

/// A person's answers to the calls an answer is waiting for — approvals and
/// client-side tool outputs — checked against the stored assistant message and
/// folded into it. Pure functions: the session checks an answer before it is
/// persisted, `MessageHistory` folds it from the log, so a replay after a crash
/// or a redeploy comes to the same message.
///
/// The answer is the message as the AI SDK sends it: the slim assistant message
/// (`AgentChatTransport`, `…/in`) or the whole one (`DefaultChatTransport`,
/// `/api/chat`). Parts that say what the stored message already says are ignored.
enum ToolAnswers {
    /// What an answer does.
    enum Verdict: Sendable, Hashable {
        /// It answers calls that were waiting. `completes`: none waits afterwards,
        /// so the answer continues the turn.
        case accepted(completes: Bool)
        /// Everything it answers was answered the same way before: nothing changes.
        case duplicate
    }

    /// Checks an answer; throws, changing nothing, when it does not fit.
    /// - Parameters:
    ///   - answer: The client's assistant message.
    ///   - stored: The stored message with the same id, nil when there is none.
    ///   - isLatest: `stored` is the conversation's last message.
    ///   - clientCallsWait: The last turn ended waiting for client-side tools.
    static func check(
        _ answer: UIMessage, stored: UIMessage?, isLatest: Bool, clientCallsWait: Bool
    ) throws(AgentHostError) -> Verdict {
        guard let stored, stored.role == "assistant" else {
            throw .badRequest("no assistant message `\(answer.id)` waits for an answer")
        }
        let storedParts = Dictionary(stored.toolParts.map { ($0.part.toolCallId, $0.part) }, uniquingKeysWith: { first, _ in first })
        var waiting = Set(isLatest ? stored.waitingToolCallIds(clientCallsWait: clientCallsWait) : [])
        var answered = 0
        var repeated = 0
        let incoming = answer.toolParts.map(\.part)
        guard !incoming.isEmpty else { throw .badRequest("message `\(answer.id)` has no tool part to answer") }
        for part in incoming {
            guard let current = storedParts[part.toolCallId] else {
                throw .badRequest("message `\(answer.id)` has no tool call `\(part.toolCallId)`")
            }
            if let input = part.input, let storedInput = current.input, input != storedInput {
                throw .badRequest("the answer changes the input of tool call `\(part.toolCallId)`; a call runs as the model made it")
            }
            let unchanged = part.state == current.state && part.approved == current.approved
                && part.output == current.output && part.errorText == current.errorText
            guard part.isAnswer, !unchanged else {
                // What the stored message says already (a whole message re-sent), or no answer at all.
                if part.isAnswer { repeated += 1 }
                continue
            }
            switch part.state {
            case "approval-responded":
                guard let approved = part.approved, let approvalId = part.approvalId else {
                    throw .badRequest("tool call `\(part.toolCallId)`: `approval-responded` needs `approval.id` and `approval.approved`")
                }
                guard approvalId == current.approvalId else {
                    throw .badRequest("tool call `\(part.toolCallId)` has no approval `\(approvalId)`")
                }
                if waiting.remove(part.toolCallId) != nil {
                    answered += 1
                } else if current.approved == approved {
                    repeated += 1
                } else {
                    throw .conflict(closedMessage(current, callId: part.toolCallId))
                }
            default:
                if waiting.contains(part.toolCallId), current.state == "input-available" {
                    waiting.remove(part.toolCallId)
                    answered += 1
                } else if current.state == part.state, current.output == part.output, current.errorText == part.errorText {
                    repeated += 1
                } else {
                    throw .conflict(closedMessage(current, callId: part.toolCallId))
                }
            }
        }
        if answered > 0 { return .accepted(completes: waiting.isEmpty) }
        if repeated > 0 { return .duplicate }
        throw .badRequest("message `\(answer.id)` answers no tool call that waits")
    }

    private static func closedMessage(_ current: ToolPart, callId: String) -> String {
        switch current.state {
        case "approval-requested", "input-available":
            "tool call `\(callId)` does not wait for this kind of answer"
        default:
            "tool call `\(callId)` was already settled (`\(current.state)`); it cannot be answered differently"
        }
    }

    /// Folds a checked answer into the stored message: waiting calls take the
    /// answer's approval or output; anything else stays as it was.
    /// - Parameters:
    ///   - answer: The client's assistant message.
    ///   - message: The stored message with the same id.
    static func merge(_ answer: UIMessage, into message: inout UIMessage) {
        let incoming = Dictionary(answer.toolParts.map { ($0.part.toolCallId, $0.part) }, uniquingKeysWith: { first, _ in first })
        for (index, current) in message.toolParts {
            guard let part = incoming[current.toolCallId], case .object(var fields) = message.parts[index] else { continue }
            switch (current.state, part.state) {
            case ("approval-requested", "approval-responded"):
                guard let approved = part.approved else { continue }
                fields["state"] = "approval-responded"
                var approval: [String: JSONValue] = ["approved": .bool(approved)]
                approval["id"] = current.approvalId.map(JSONValue.string)
                approval["reason"] = part.reason.map(JSONValue.string)
                fields["approval"] = .object(approval)
            case ("input-available", "output-available"):
                fields["state"] = "output-available"
                fields["output"] = part.output ?? .null
            case ("input-available", "output-error"):
                fields["state"] = "output-error"
                fields["errorText"] = .string(part.errorText ?? "the client could not run the tool")
            default:
                continue
            }
            message.parts[index] = .object(fields)
        }
    }

    /// What a call closed by a new user message tells the model and the client.
    static let closedReason = "The user sent a new message instead of answering."

    /// Closes calls nobody answered because the user moved on: an approval
    /// becomes `output-denied`, a client-side call `output-error`. None stays
    /// waiting, none runs.
    /// - Parameters:
    ///   - callIds: The calls to close.
    ///   - message: The message that holds them.
    static func close(_ callIds: Set<String>, in message: inout UIMessage) {
        for (index, current) in message.toolParts where callIds.contains(current.toolCallId) {
            guard case .object(var fields) = message.parts[index] else { continue }
            switch current.state {
            case "approval-requested":
                fields["state"] = "output-denied"
                var approval: [String: JSONValue] = ["approved": false, "reason": .string(closedReason)]
                approval["id"] = current.approvalId.map(JSONValue.string)
                fields["approval"] = .object(approval)
            case "input-available":
                fields["state"] = "output-error"
                fields["errorText"] = .string(closedReason)
            default:
                continue
            }
            message.parts[index] = .object(fields)
        }
    }
}
