import AgentWire

/// What a provider streams for one step, already normalised across providers.
public enum ModelEvent: Sendable, Hashable {
    case textDelta(String)
    case reasoningDelta(String)
    /// The current reasoning block is complete. Anthropic signs thinking blocks;
    /// the signature must travel back with the block in the next step of a tool loop.
    case reasoningEnd(signature: String?)
    /// A reasoning block the provider only returns encrypted (Anthropic `redacted_thinking`).
    case reasoningRedacted(data: String)
    /// A streamed tool call begins; its arguments follow as `toolInputDelta`s.
    case toolInputStart(id: String, name: String)
    /// A fragment of a streamed tool call's JSON arguments.
    case toolInputDelta(id: String, delta: String)
    /// A complete tool call; `input` is the parsed JSON arguments. Providers that
    /// stream arguments send it after the call's `toolInputStart`/`toolInputDelta`s.
    case toolCall(id: String, name: String, input: JSONValue)
    /// Tokens this step used, sent once before `finish` when the provider reports them.
    case usage(ModelUsage)
    case finish(FinishReason)
}

/// One step's request: the conversation in provider-neutral form.
public struct ModelRequest: Sendable {
    public var system: String?
    public var messages: [ModelMessage]
    public var tools: [ToolSpec]
    /// Text of this step's answer already streamed before the step was interrupted
    /// (a crash, a migration). A model that `supportsAssistantPrefill` continues
    /// after it and streams only the continuation; others ignore it and answer anew.
    public var assistantPrefix: String?

    public init(system: String?, messages: [ModelMessage], tools: [ToolSpec], assistantPrefix: String? = nil) {
        self.system = system
        self.messages = messages
        self.tools = tools
        self.assistantPrefix = assistantPrefix
    }
}

/// A provider-neutral chat message.
public enum ModelMessage: Sendable, Hashable {
    case user(String)
    /// `reasoning` is the step's thinking, kept so a tool loop can hand signed
    /// thinking blocks back to Anthropic; it is not rebuilt from UI history.
    case assistant(text: String, toolCalls: [ModelToolCall], reasoning: [ModelReasoning] = [])
    case toolResult(callId: String, name: String, output: JSONValue, isError: Bool)
}

public struct ModelToolCall: Sendable, Hashable {
    public var id: String
    public var name: String
    public var input: JSONValue

    public init(id: String, name: String, input: JSONValue) {
        self.id = id
        self.name = name
        self.input = input
    }
}

/// One reasoning block of an assistant step.
public struct ModelReasoning: Sendable, Hashable {
    public var text: String
    /// Anthropic's integrity signature; unsigned reasoning is never sent back to Anthropic.
    public var signature: String?
    /// Set for a redacted block: the encrypted payload to hand back verbatim.
    public var redactedData: String?

    public init(text: String, signature: String? = nil, redactedData: String? = nil) {
        self.text = text
        self.signature = signature
        self.redactedData = redactedData
    }
}

/// A model that streams one step at a time.
public protocol LanguageModel: Sendable {
    /// A label for logs and the start-up banner, e.g. `scripted:echo`.
    var identifier: String { get }
    /// Whether `ModelRequest.assistantPrefix` makes the model continue that text
    /// (Anthropic prefill, the scripted model) instead of answering from scratch.
    var supportsAssistantPrefill: Bool { get }
    func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error>
}

extension LanguageModel {
    public var supportsAssistantPrefill: Bool { false }
}

extension ModelMessage {
    /// Converts `useChat` messages to the model's view: text and tool round trips.
    ///
    /// An assistant message that spans several steps (`step-start` parts) becomes
    /// one assistant message plus its tool results per step, in order, so text
    /// written after a tool result stays after it. A tool call without an output
    /// (a turn that was stopped mid-call) is left out: providers refuse a call
    /// that has no result.
    static func from(_ messages: [UIMessage]) -> [ModelMessage] {
        var result: [ModelMessage] = []
        for message in messages {
            switch message.role {
            case "user":
                result.append(.user(message.text))
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
                    if let value = part["output"] {
                        output = .toolResult(callId: callId, name: name, output: value, isError: false)
                    } else if let errorText = part["errorText"] {
                        output = .toolResult(callId: callId, name: name, output: errorText, isError: true)
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
