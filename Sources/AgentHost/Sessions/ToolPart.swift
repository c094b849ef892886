import AgentWire

/// One tool part of a `UIMessage` (`tool-<name>` or `dynamic-tool`), read as
/// the AI SDK writes it (reference/protocols.md §3, tool-part states).
struct ToolPart: Sendable, Hashable {
    var toolCallId: String
    var toolName: String
    /// `input-available`, `approval-requested`, `approval-responded`,
    /// `output-available`, `output-error`, `output-denied`, …
    var state: String
    var input: JSONValue?
    /// `approval.id`, `approval.approved`, `approval.reason`.
    var approvalId: String?
    var approved: Bool?
    var reason: String?
    var output: JSONValue?
    var errorText: String?

    /// Reads a part; nil when it is not a tool part.
    init?(_ part: JSONValue) {
        guard let type = part["type"]?.stringValue, let callId = part["toolCallId"]?.stringValue else { return nil }
        if type == "dynamic-tool" {
            guard let name = part["toolName"]?.stringValue else { return nil }
            toolName = name
        } else if type.hasPrefix("tool-") {
            toolName = String(type.dropFirst("tool-".count))
        } else {
            return nil
        }
        toolCallId = callId
        state = part["state"]?.stringValue ?? ""
        input = part["input"]
        approvalId = part["approval"]?["id"]?.stringValue
        approved = part["approval"]?["approved"]?.boolValue
        reason = part["approval"]?["reason"]?.stringValue
        output = part["output"]
        errorText = part["errorText"]?.stringValue
    }

    /// The call waits for a person: an approval, or (`clientCallsWait`: the
    /// turn ended for it) a client-side tool's output.
    func waits(clientCallsWait: Bool) -> Bool {
        state == "approval-requested" || (clientCallsWait && state == "input-available")
    }

    /// The part carries a person's answer: an approval decision or a client's output.
    var isAnswer: Bool {
        state == "approval-responded" || state == "output-available" || state == "output-error"
    }
}

extension UIMessage {
    /// The tool parts of this message, with their index in `parts`.
    var toolParts: [(index: Int, part: ToolPart)] {
        parts.enumerated().compactMap { index, json in ToolPart(json).map { (index: index, part: $0) } }
    }

    /// Calls of this message that wait for a person.
    /// - Parameters:
    ///   - clientCallsWait: The turn ended for them: `input-available` parts wait too.
    func waitingToolCallIds(clientCallsWait: Bool) -> [String] {
        toolParts.filter { $0.part.waits(clientCallsWait: clientCallsWait) }.map { $0.part.toolCallId }
    }

    /// Approved or denied calls not yet settled: what a continuing turn runs or reports first.
    var answeredToolCalls: [StepLoop.AnsweredCall] {
        toolParts.compactMap { _, part in
            guard part.state == "approval-responded", let approved = part.approved else { return nil }
            let call = ModelToolCall(id: part.toolCallId, name: part.toolName, input: part.input ?? .object([:]))
            return StepLoop.AnsweredCall(call: call, approved: approved, reason: part.reason)
        }
    }
}
