import AgentWire

/// The AI SDK UI message stream chunks the host itself writes
/// (reference/protocols.md §1.3). Optional fields are omitted, never null.
public enum UIChunk: Sendable, Hashable {
    case start(messageId: String)
    case startStep
    case textStart(id: String)
    case textDelta(id: String, delta: String)
    case textEnd(id: String)
    case reasoningStart(id: String)
    case reasoningDelta(id: String, delta: String)
    case reasoningEnd(id: String)
    case toolInputStart(toolCallId: String, toolName: String)
    case toolInputDelta(toolCallId: String, inputTextDelta: String)
    case toolInputAvailable(toolCallId: String, toolName: String, input: JSONValue)
    case toolOutputAvailable(toolCallId: String, output: JSONValue)
    case toolOutputError(toolCallId: String, errorText: String)
    case finishStep
    case finish(finishReason: FinishReason)
    case abort
    case error(errorText: String)
    /// Merged into the assistant message's `metadata` by the client (deep merge).
    case messageMetadata(JSONValue)
    /// A `data-<name>` part; transient ones reach `onData` but are never stored in a message.
    case data(name: String, data: JSONValue, transient: Bool)

    public var json: JSONValue {
        switch self {
        case .start(let messageId): ["type": "start", "messageId": .string(messageId)]
        case .startStep: ["type": "start-step"]
        case .textStart(let id): ["type": "text-start", "id": .string(id)]
        case .textDelta(let id, let delta): ["type": "text-delta", "id": .string(id), "delta": .string(delta)]
        case .textEnd(let id): ["type": "text-end", "id": .string(id)]
        case .reasoningStart(let id): ["type": "reasoning-start", "id": .string(id)]
        case .reasoningDelta(let id, let delta): ["type": "reasoning-delta", "id": .string(id), "delta": .string(delta)]
        case .reasoningEnd(let id): ["type": "reasoning-end", "id": .string(id)]
        case .toolInputStart(let callId, let name):
            ["type": "tool-input-start", "toolCallId": .string(callId), "toolName": .string(name)]
        case .toolInputDelta(let callId, let delta):
            ["type": "tool-input-delta", "toolCallId": .string(callId), "inputTextDelta": .string(delta)]
        case .toolInputAvailable(let callId, let name, let input):
            ["type": "tool-input-available", "toolCallId": .string(callId), "toolName": .string(name), "input": input]
        case .toolOutputAvailable(let callId, let output):
            ["type": "tool-output-available", "toolCallId": .string(callId), "output": output]
        case .toolOutputError(let callId, let errorText):
            ["type": "tool-output-error", "toolCallId": .string(callId), "errorText": .string(errorText)]
        case .finishStep: ["type": "finish-step"]
        case .finish(let reason): ["type": "finish", "finishReason": .string(reason.rawValue)]
        case .abort: ["type": "abort"]
        case .error(let errorText): ["type": "error", "errorText": .string(errorText)]
        case .messageMetadata(let metadata): ["type": "message-metadata", "messageMetadata": metadata]
        case .data(let name, let data, let transient):
            transient
                ? ["type": .string("data-\(name)"), "data": data, "transient": true]
                : ["type": .string("data-\(name)"), "data": data]
        }
    }
}

/// Why a response ended (`finish.finishReason`); never `unknown`, which v6 clients reject.
public enum FinishReason: String, Sendable, Codable {
    case stop
    case length
    case contentFilter = "content-filter"
    case toolCalls = "tool-calls"
    case error
    case other
}

/// Control records: the transient data parts that frame turns on the stream.
public enum ControlPart {
    public static func turnStart(inSeq: Int64) -> UIChunk {
        .data(name: "turn-start", data: ["inSeq": .number(Double(inSeq))], transient: true)
    }

    /// The daemon stopped while this turn ran; the turn resumes right after it.
    public static func interrupted(inSeq: Int64) -> UIChunk {
        .data(name: "interrupted", data: ["inSeq": .number(Double(inSeq))], transient: true)
    }

    /// The turn moved to a new build of its agent at a step boundary.
    public static func upgraded(inSeq: Int64, fromGeneration: Int, toGeneration: Int, version: String) -> UIChunk {
        .data(
            name: "upgraded",
            data: [
                "inSeq": .number(Double(inSeq)), "fromGeneration": .number(Double(fromGeneration)),
                "toGeneration": .number(Double(toGeneration)), "version": .string(version),
            ],
            transient: true
        )
    }

    public static func turnComplete(inSeq: Int64) -> UIChunk {
        .data(name: "turn-complete", data: ["inSeq": .number(Double(inSeq))], transient: true)
    }
}
