/// The one vocabulary of the output stream: the AI SDK UI message stream chunks
/// (reference/protocols.md §1.3, the ai@6.0.0 field set), and the host's
/// control parts that frame turns on it.
///
/// Every chunk type string lives in this file. Code elsewhere builds chunks with
/// the cases, reads them back with ``UIChunk/init(json:)`` and switches on the
/// enum. Optional fields are omitted when absent, never `null` (§1.5).

/// One chunk of an assistant message's stream.
public enum UIChunk: Sendable, Hashable {
    /// Opens the assistant message.
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
    /// The model produced a tool call whose input could not be used.
    case toolInputError(toolCallId: String, toolName: String, input: JSONValue, errorText: String)
    /// The tool waits for a person to approve the call.
    case toolApprovalRequest(approvalId: String, toolCallId: String)
    case toolOutputAvailable(toolCallId: String, output: JSONValue)
    /// A tool's progress while it runs (`tool-output-available` with
    /// `preliminary: true`, AI SDK ≥ 5.0.11): the client shows it in place of the
    /// output until the final `toolOutputAvailable` replaces it. The model never sees it.
    case toolOutputPreliminary(toolCallId: String, output: JSONValue)
    case toolOutputError(toolCallId: String, errorText: String)
    /// A person denied the call; the tool did not run.
    case toolOutputDenied(toolCallId: String)
    case finishStep
    case finish(finishReason: FinishReason)
    case abort
    case error(errorText: String)
    /// Merged into the assistant message's `metadata` by the client (deep merge).
    case messageMetadata(JSONValue)
    /// A `data-<name>` part; transient ones reach `onData` but are never stored in a
    /// message. A part sent again with the same `id` replaces the earlier one.
    case data(name: String, data: JSONValue, transient: Bool, id: String? = nil)

    /// The chunk as the wire carries it.
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
        case .toolInputError(let callId, let name, let input, let errorText):
            [
                "type": "tool-input-error", "toolCallId": .string(callId), "toolName": .string(name), "input": input,
                "errorText": .string(errorText),
            ]
        case .toolApprovalRequest(let approvalId, let callId):
            ["type": "tool-approval-request", "approvalId": .string(approvalId), "toolCallId": .string(callId)]
        case .toolOutputAvailable(let callId, let output):
            ["type": "tool-output-available", "toolCallId": .string(callId), "output": output]
        case .toolOutputPreliminary(let callId, let output):
            ["type": "tool-output-available", "toolCallId": .string(callId), "output": output, "preliminary": true]
        case .toolOutputError(let callId, let errorText):
            ["type": "tool-output-error", "toolCallId": .string(callId), "errorText": .string(errorText)]
        case .toolOutputDenied(let callId): ["type": "tool-output-denied", "toolCallId": .string(callId)]
        case .finishStep: ["type": "finish-step"]
        case .finish(let reason): ["type": "finish", "finishReason": .string(reason.rawValue)]
        case .abort: ["type": "abort"]
        case .error(let errorText): ["type": "error", "errorText": .string(errorText)]
        case .messageMetadata(let metadata): ["type": "message-metadata", "messageMetadata": metadata]
        case .data(let name, let data, let transient, let id): Self.dataJSON(name: name, data: data, transient: transient, id: id)
        }
    }

    private static func dataJSON(name: String, data: JSONValue, transient: Bool, id: String?) -> JSONValue {
        var fields: [String: JSONValue] = ["type": .string(dataPrefix + name), "data": data]
        if let id { fields["id"] = .string(id) }
        if transient { fields["transient"] = true }
        return .object(fields)
    }

    /// Reads one chunk back from its JSON; nil when `json` is not a chunk of this
    /// vocabulary (an unknown type, or a required field missing or of the wrong type).
    /// Required `unknown`-typed fields (`input`, `output`, `data`) must be present,
    /// `null` included, as the AI SDK client requires.
    /// - Parameters:
    ///   - json: One decoded chunk object.
    public init?(json: JSONValue) {
        guard case .object(let fields) = json, case .string(let type)? = fields["type"] else { return nil }
        func string(_ key: String) -> String? { fields[key]?.stringValue }
        switch type {
        case "start":
            // `messageId` is optional on the wire; the host always sends one.
            self = .start(messageId: string("messageId") ?? "")
        case "start-step": self = .startStep
        case "text-start":
            guard let id = string("id") else { return nil }
            self = .textStart(id: id)
        case "text-delta":
            guard let id = string("id"), let delta = string("delta") else { return nil }
            self = .textDelta(id: id, delta: delta)
        case "text-end":
            guard let id = string("id") else { return nil }
            self = .textEnd(id: id)
        case "reasoning-start":
            guard let id = string("id") else { return nil }
            self = .reasoningStart(id: id)
        case "reasoning-delta":
            guard let id = string("id"), let delta = string("delta") else { return nil }
            self = .reasoningDelta(id: id, delta: delta)
        case "reasoning-end":
            guard let id = string("id") else { return nil }
            self = .reasoningEnd(id: id)
        case "tool-input-start":
            guard let callId = string("toolCallId"), let name = string("toolName") else { return nil }
            self = .toolInputStart(toolCallId: callId, toolName: name)
        case "tool-input-delta":
            guard let callId = string("toolCallId"), let delta = string("inputTextDelta") else { return nil }
            self = .toolInputDelta(toolCallId: callId, inputTextDelta: delta)
        case "tool-input-available":
            guard let callId = string("toolCallId"), let name = string("toolName"), let input = fields["input"] else {
                return nil
            }
            self = .toolInputAvailable(toolCallId: callId, toolName: name, input: input)
        case "tool-input-error":
            guard let callId = string("toolCallId"), let name = string("toolName"), let input = fields["input"],
                  let errorText = string("errorText")
            else { return nil }
            self = .toolInputError(toolCallId: callId, toolName: name, input: input, errorText: errorText)
        case "tool-approval-request":
            guard let approvalId = string("approvalId"), let callId = string("toolCallId") else { return nil }
            self = .toolApprovalRequest(approvalId: approvalId, toolCallId: callId)
        case "tool-output-available":
            guard let callId = string("toolCallId"), let output = fields["output"] else { return nil }
            if fields["preliminary"]?.boolValue == true {
                self = .toolOutputPreliminary(toolCallId: callId, output: output)
            } else {
                self = .toolOutputAvailable(toolCallId: callId, output: output)
            }
        case "tool-output-error":
            guard let callId = string("toolCallId"), let errorText = string("errorText") else { return nil }
            self = .toolOutputError(toolCallId: callId, errorText: errorText)
        case "tool-output-denied":
            guard let callId = string("toolCallId") else { return nil }
            self = .toolOutputDenied(toolCallId: callId)
        case "finish-step": self = .finishStep
        case "finish":
            // Absent or unknown reasons read as `other`: v6 clients reject `unknown`.
            self = .finish(finishReason: string("finishReason").flatMap(FinishReason.init(rawValue:)) ?? .other)
        case "abort": self = .abort
        case "error":
            guard let errorText = string("errorText") else { return nil }
            self = .error(errorText: errorText)
        case "message-metadata":
            guard let metadata = fields["messageMetadata"] else { return nil }
            self = .messageMetadata(metadata)
        default:
            guard type.hasPrefix(Self.dataPrefix), type.count > Self.dataPrefix.count, let data = fields["data"] else {
                return nil
            }
            self = .data(
                name: String(type.dropFirst(Self.dataPrefix.count)), data: data,
                transient: fields["transient"]?.boolValue ?? false, id: string("id")
            )
        }
    }

    /// Every `data-*` chunk type starts with this.
    private static let dataPrefix = "data-"

    /// The host's control part this chunk carries, if it is one.
    public var control: ControlPart? { ControlPart(self) }
}

/// Why a response ended (`finish.finishReason`); never `unknown`, which v6 clients reject.
public enum FinishReason: String, Sendable, Codable {
    case stop
    case length
    case contentFilter = "content-filter"
    case toolCalls = "tool-calls"
    case error
    case other

    /// A reason this vocabulary does not know (a newer plugin's, say) reads as `other`.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = FinishReason(rawValue: text) ?? .other
    }
}

/// Control records: the transient data parts with which the host frames turns
/// on a session's stream. Each names the input seq of the turn it belongs to.
public enum ControlPart: Sendable, Hashable {
    /// The turn answering input `inSeq` begins; the response's `start` follows.
    case turnStart(inSeq: Int64)
    /// The daemon stopped while this turn ran; the turn resumes right after it.
    case interrupted(inSeq: Int64)
    /// The turn moved to a new build of its agent at a step boundary.
    case upgraded(inSeq: Int64, fromGeneration: Int, toGeneration: Int, version: String)
    /// The turn is over: nothing after this belongs to it.
    case turnComplete(inSeq: Int64)
    /// The chat's `onChatStart` hook is called next, in the turn answering
    /// `inSeq`: committed first, so that it is never called twice.
    case chatStart(inSeq: Int64)
    /// The steered input `inSeq` (its message `messageId`) entered the running
    /// turn at a step boundary: the model's next step sees it. Its answer goes
    /// on in a new assistant message, `responseMessageId`, after it.
    case pendingMessageInjected(inSeq: Int64, messageId: String, responseMessageId: String)
    /// The turn answering `inSeq` compacted the conversation the model sees: a
    /// summary replaces what the log held through `throughSeq`.
    case compacted(inSeq: Int64, throughSeq: Int64, tokensBefore: Int, tokensAfter: Int)
    /// The action input `inSeq` changed the history (`HistoryEdit`s, in
    /// order): the record the history folds, and the part that tells a reader
    /// to reload the messages (`GET …/messages`).
    case historyChanged(inSeq: Int64, edits: [HistoryEdit])
    /// Context injected into the model's conversation (`run.inject`, a deferred
    /// result) entered the turn answering `inSeq` here: at a step boundary, or
    /// before its first model request. `seqs` are the injections' own records,
    /// in the order the model reads them. Not a chat message: `/messages` does
    /// not show it; the model's context keeps it at this place.
    case contextInjected(inSeq: Int64, seqs: [Int64])

    /// Data part names only the host may write: the control parts, and
    /// `token`, with which a browser client takes a refreshed access token.
    /// A plugin that emits one is refused, so it cannot forge a turn's end or
    /// hand a browser a token.
    public static let reservedNames: Set<String> = [
        "turn-start", "interrupted", "upgraded", "turn-complete", "chat-start", "history-changed", "token",
        "pending-message-injected", "compacted", "context-injected",
    ]

    /// The input seq of the turn this part frames.
    public var inSeq: Int64 {
        switch self {
        case .turnStart(let inSeq), .interrupted(let inSeq), .turnComplete(let inSeq), .chatStart(let inSeq): inSeq
        case .upgraded(let inSeq, _, _, _), .pendingMessageInjected(let inSeq, _, _), .compacted(let inSeq, _, _, _): inSeq
        case .historyChanged(let inSeq, _), .contextInjected(let inSeq, _): inSeq
        }
    }

    /// The part as a transient data chunk.
    public var chunk: UIChunk {
        let seq = JSONValue.number(Double(inSeq))
        return switch self {
        case .turnStart: .data(name: "turn-start", data: ["inSeq": seq], transient: true)
        case .interrupted: .data(name: "interrupted", data: ["inSeq": seq], transient: true)
        case .upgraded(_, let from, let to, let version):
            .data(
                name: "upgraded",
                data: [
                    "inSeq": seq, "fromGeneration": .number(Double(from)), "toGeneration": .number(Double(to)),
                    "version": .string(version),
                ],
                transient: true
            )
        case .turnComplete: .data(name: "turn-complete", data: ["inSeq": seq], transient: true)
        case .chatStart: .data(name: "chat-start", data: ["inSeq": seq], transient: true)
        case .pendingMessageInjected(_, let messageId, let responseMessageId):
            .data(
                name: "pending-message-injected",
                data: ["inSeq": seq, "messageId": .string(messageId), "responseMessageId": .string(responseMessageId)],
                transient: true
            )
        case .compacted(_, let through, let before, let after):
            .data(
                name: "compacted",
                data: [
                    "inSeq": seq, "throughSeq": .number(Double(through)), "tokensBefore": .number(Double(before)),
                    "tokensAfter": .number(Double(after)),
                ],
                transient: true
            )
        case .historyChanged(_, let edits):
            .data(name: "history-changed", data: ["inSeq": seq, "edits": HistoryEdit.json(edits)], transient: true)
        case .contextInjected(_, let seqs):
            .data(name: "context-injected", data: ["inSeq": seq, "seqs": .array(seqs.map { .number(Double($0)) })], transient: true)
        }
    }

    /// The control part a chunk carries; nil for any other chunk.
    /// - Parameters:
    ///   - chunk: A chunk read from a session's stream.
    public init?(_ chunk: UIChunk) {
        guard case .data(let name, let data, true, _) = chunk, let seq = data["inSeq"]?.doubleValue else { return nil }
        let inSeq = Int64(seq)
        switch name {
        case "turn-start": self = .turnStart(inSeq: inSeq)
        case "interrupted": self = .interrupted(inSeq: inSeq)
        case "turn-complete": self = .turnComplete(inSeq: inSeq)
        case "chat-start": self = .chatStart(inSeq: inSeq)
        case "pending-message-injected":
            self = .pendingMessageInjected(
                inSeq: inSeq, messageId: data["messageId"]?.stringValue ?? "", responseMessageId: data["responseMessageId"]?.stringValue ?? ""
            )
        case "compacted":
            self = .compacted(
                inSeq: inSeq, throughSeq: Int64(data["throughSeq"]?.doubleValue ?? 0),
                tokensBefore: Int(data["tokensBefore"]?.doubleValue ?? 0), tokensAfter: Int(data["tokensAfter"]?.doubleValue ?? 0)
            )
        case "context-injected":
            self = .contextInjected(inSeq: inSeq, seqs: data["seqs"]?.arrayValue?.compactMap { $0.doubleValue.map(Int64.init) } ?? [])
        case "history-changed":
            self = .historyChanged(inSeq: inSeq, edits: data["edits"].flatMap(HistoryEdit.edits(from:)) ?? [])
        case "upgraded":
            self = .upgraded(
                inSeq: inSeq, fromGeneration: Int(data["fromGeneration"]?.doubleValue ?? 0),
                toGeneration: Int(data["toGeneration"]?.doubleValue ?? 0), version: data["version"]?.stringValue ?? ""
            )
        default: return nil
        }
    }
}
