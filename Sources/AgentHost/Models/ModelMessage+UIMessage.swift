import AgentWire

extension ModelMessage {
    /// Converts `useChat` messages to the model's view: text, attached files and
    /// tool round trips.
    ///
    /// A user message keeps its text and `file` parts in order (adjacent text
    /// parts joined); one that is only text is a single text part, as before.
    ///
    /// An assistant message that spans several steps (`step-start` parts) becomes
    /// one assistant message plus its tool results per step, in order, so text
    /// written after a tool result stays after it. A tool call without an output
    /// (a turn that was stopped mid-call, or one still waiting for a person) is
    /// left out: providers refuse a call that has no result. A denied call is
    /// kept, with a result that tells the model it did not run. A preliminary
    /// output (a call cut off while it ran) is no result. Where a tool gave the
    /// model a compact form (`modelOutputs`, by message id then call id), the
    /// model gets that instead of the part's output.
    static func from(_ messages: [UIMessage], modelOutputs: [String: [String: JSONValue]] = [:]) -> [ModelMessage] {
        var result: [ModelMessage] = []
        for message in messages {
            switch message.role {
            case "user":
                result.append(.user(parts: userParts(message)))
            case "assistant":
                var step = AssistantStep()
                for part in message.parts {
                    guard let type = part["type"]?.stringValue else { continue }
                    if type == "step-start" {
                        step.flush(into: &result)
                        continue
                    }
                    if type == "text" { step.text += part["text"]?.stringValue ?? "" }
                    guard type.hasPrefix("tool-"), let callId = part["toolCallId"]?.stringValue else { continue }
                    let name = String(type.dropFirst("tool-".count))
                    let output: ModelMessage
                    if let value = part["output"], part["preliminary"]?.boolValue != true {
                        let compact = modelOutputs[message.id]?[callId]
                        output = .toolResult(callId: callId, name: name, output: compact ?? value, isError: false)
                    } else if let errorText = part["errorText"] {
                        output = .toolResult(callId: callId, name: name, output: errorText, isError: true)
                    } else if part["state"] == "output-denied" {
                        output = .deniedToolResult(callId: callId, name: name, reason: part["approval"]?["reason"]?.stringValue)
                    } else {
                        continue
                    }
                    step.calls.append(ModelToolCall(id: callId, name: name, input: part["input"] ?? .null))
                    step.outputs.append(output)
                }
                step.flush(into: &result)
            default:
                continue
            }
        }
        return result
    }

    /// A user message's text and file parts, in order; adjacent text joined.
    private static func userParts(_ message: UIMessage) -> [ModelContentPart] {
        var parts: [ModelContentPart] = []
        var text = ""
        for part in message.parts {
            if part["type"]?.stringValue == "text" {
                text += part["text"]?.stringValue ?? ""
            } else if let file = UIMessage.FilePart(part) {
                if !text.isEmpty { parts.append(.text(text)) }
                text = ""
                parts.append(.file(ModelFile(file)))
            }
        }
        // A message that is only text (or nothing) is one text part, as it always was.
        if !text.isEmpty || parts.isEmpty { parts.append(.text(text)) }
        return parts
    }

    private struct AssistantStep {
        var text = ""
        var calls: [ModelToolCall] = []
        var outputs: [ModelMessage] = []

        mutating func flush(into result: inout [ModelMessage]) {
            defer { self = AssistantStep() }
            guard !text.isEmpty || !calls.isEmpty else { return }
            result.append(.assistant(text: text, toolCalls: calls))
            result.append(contentsOf: outputs)
        }
    }
}
