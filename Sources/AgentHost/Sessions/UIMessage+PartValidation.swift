import AgentWire

extension UIMessage {
    /// The tool part states of the AI SDK (reference/protocols.md §3).
    private static let toolStates: Set<String> = [
        "input-streaming", "input-available", "approval-requested", "approval-responded",
        "output-available", "output-error", "output-denied",
    ]

    /// Checks the parts against the AI SDK's `UIMessagePart` types (ai@6, what
    /// `validateUIMessages` takes): a part of an unknown type, or one without
    /// the fields its type needs, is refused before anything is stored.
    /// Unknown extra fields are kept, as the SDK's own schema lets them pass.
    /// - Throws: `AgentHostError.badRequest` naming the first bad part.
    func validateParts() throws(AgentHostError) {
        if role != "assistant", parts.isEmpty {
            throw .badRequest("a `\(role)` message needs at least one part")
        }
        for (index, part) in parts.enumerated() {
            if let problem = Self.problem(with: part) {
                throw .badRequest("`message.parts[\(index)]`: \(problem)")
            }
        }
    }

    /// What is wrong with one part; nil when it is well-formed.
    private static func problem(with part: JSONValue) -> String? {
        guard case .object(let fields) = part else { return "a part is a JSON object" }
        guard let type = fields["type"]?.stringValue else { return "a part needs a string `type`" }
        func needs(_ names: String...) -> String? {
            let missing = names.filter { fields[$0]?.stringValue == nil }
            return missing.isEmpty ? nil : "a `\(type)` part needs \(missing.map { "`\($0)`" }.joined(separator: ", ")) (strings)"
        }
        switch type {
        case "text", "reasoning":
            return needs("text")
        case "file":
            return needs("mediaType", "url")
        case "source-url":
            return needs("sourceId", "url")
        case "source-document":
            return needs("sourceId", "mediaType", "title")
        case "step-start":
            return nil
        case "dynamic-tool":
            return needs("toolName") ?? toolProblem(fields, type: type)
        case _ where type.hasPrefix("tool-") && type.count > 5:
            return toolProblem(fields, type: type)
        case _ where type.hasPrefix("data-") && type.count > 5:
            return nil
        default:
            return "unknown part type `\(type)` (text, reasoning, file, source-url, source-document, step-start, tool-*, dynamic-tool, data-*)"
        }
    }

    /// A tool part: its call id, a known state, and the fields that state carries.
    private static func toolProblem(_ fields: [String: JSONValue], type: String) -> String? {
        guard fields["toolCallId"]?.stringValue != nil else { return "a `\(type)` part needs a string `toolCallId`" }
        guard let state = fields["state"]?.stringValue, toolStates.contains(state) else {
            return "a `\(type)` part needs a `state` of \(toolStates.sorted().joined(separator: ", "))"
        }
        let approval = fields["approval"]
        switch state {
        case "output-error" where fields["errorText"]?.stringValue == nil:
            return "a `\(type)` part in state `output-error` needs a string `errorText`"
        case "approval-requested" where approval?["id"]?.stringValue == nil:
            return "a `\(type)` part in state `approval-requested` needs `approval.id`"
        case "approval-responded", "output-denied":
            guard approval?["id"]?.stringValue != nil, approval?["approved"]?.boolValue != nil else {
                return "a `\(type)` part in state `\(state)` needs `approval.id` and `approval.approved`"
            }
            return nil
        default:
            return nil
        }
    }
}
