import AgentWire

/// What a provider streams for one step, already normalised across providers.
public enum ModelEvent: Sendable, Hashable {
    case textDelta(String)
    case reasoningDelta(String)
    /// A complete tool call; `input` is the parsed JSON arguments.
    case toolCall(id: String, name: String, input: JSONValue)
    case finish(FinishReason)
}

/// One step's request: the conversation in provider-neutral form.
public struct ModelRequest: Sendable {
    public var system: String?
    public var messages: [ModelMessage]
    public var tools: [ToolSpec]
}

/// A provider-neutral chat message.
public enum ModelMessage: Sendable, Hashable {
    case user(String)
    case assistant(text: String, toolCalls: [ModelToolCall])
    case toolResult(callId: String, name: String, output: JSONValue, isError: Bool)
}

public struct ModelToolCall: Sendable, Hashable {
    public var id: String
    public var name: String
    public var input: JSONValue
}

/// A model that streams one step at a time.
public protocol LanguageModel: Sendable {
    /// A label for logs and the start-up banner, e.g. `scripted:echo`.
    var identifier: String { get }
    func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error>
}

extension ModelMessage {
    /// Converts `useChat` messages to the model's view. An assistant message
    /// holds one step per `step-start` part; each step becomes the assistant's
    /// text and tool calls followed by the tool results, in order.
    static func from(_ messages: [UIMessage]) -> [ModelMessage] {
        var result: [ModelMessage] = []
        for message in messages {
            switch message.role {
            case "user":
                result.append(.user(message.text))
            case "assistant":
                var steps: [[JSONValue]] = [[]]
                for part in message.parts {
                    if part["type"]?.stringValue == "step-start" {
                        if steps[steps.count - 1].isEmpty == false { steps.append([]) }
                    } else {
                        steps[steps.count - 1].append(part)
                    }
                }
                for step in steps { result.append(contentsOf: assistantStep(step)) }
            default:
                continue
            }
        }
        return result
    }

    private static func assistantStep(_ parts: [JSONValue]) -> [ModelMessage] {
        var text = ""
        var calls: [ModelToolCall] = []
        var outputs: [ModelMessage] = []
        for part in parts {
            guard let type = part["type"]?.stringValue else { continue }
            if type == "text" { text += part["text"]?.stringValue ?? "" }
            guard type.hasPrefix("tool-"), let callId = part["toolCallId"]?.stringValue else { continue }
            let name = String(type.dropFirst("tool-".count))
            calls.append(ModelToolCall(id: callId, name: name, input: part["input"] ?? .null))
            if let output = part["output"] {
                outputs.append(.toolResult(callId: callId, name: name, output: output, isError: false))
            } else if let errorText = part["errorText"] {
                outputs.append(.toolResult(callId: callId, name: name, output: errorText, isError: true))
            }
        }
        guard !text.isEmpty || !calls.isEmpty else { return [] }
        return [.assistant(text: text, toolCalls: calls)] + outputs
    }
}
