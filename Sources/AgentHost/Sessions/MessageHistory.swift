import AgentWire

/// The conversation as `useChat` renders it, folded from the session log.
///
/// A user message enters the history when its turn starts (the `turn-start`
/// control record), not when it arrives, so messages queued behind a running
/// turn appear after that turn's answer: user, assistant, user, assistant.
public struct MessageHistory: Sendable {
    public private(set) var messages: [UIMessage] = []
    private var queuedInputs: [Int64: InputRecord] = [:]
    /// The assistant message being streamed, and the index of each open part.
    private var openAssistant: Int?
    private var openParts: [String: Int] = [:]
    /// The turn that started and has not completed, if any.
    public private(set) var turnInProgress: TurnProgress?
    /// The agent's saved state and the version label of the build that saved it.
    public private(set) var agentState: (state: JSONValue, version: String)?

    public init() {}

    /// Inputs that asked for a turn that has not started yet, oldest first.
    public var pendingInputs: [(seq: Int64, input: InputRecord)] {
        queuedInputs.sorted { $0.key < $1.key }.map { (seq: $0.key, input: $0.value) }
    }

    public init(records: [LogRecord]) {
        for record in records { apply(record) }
    }

    public mutating func apply(_ record: LogRecord) {
        guard let body = try? WireCoding.decode(JSONValue.self, from: record.body) else { return }
        apply(record, body: body)
    }

    /// As `apply(_:)`, for a caller that still holds the record's decoded body.
    public mutating func apply(_ record: LogRecord, body: JSONValue) {
        switch record.kind {
        case .input:
            guard let input = try? WireCoding.decode(InputRecord.self, from: record.body) else { return }
            if input.startsTurn {
                queuedInputs[record.seq] = input
            } else if input.kind == .stop {
                turnInProgress?.stopRequested = true
            }
        case .control:
            let type = body["type"]?.stringValue
            if type == "data-turn-start", let inSeq = body["data"]?["inSeq"]?.doubleValue {
                turnInProgress = TurnProgress(inSeq: Int64(inSeq))
                if let input = queuedInputs.removeValue(forKey: Int64(inSeq)) { beginTurn(for: input) }
            } else if type == "data-turn-complete" {
                turnInProgress = nil
            }
        case .state:
            if let state = body["state"] { agentState = (state, body["version"]?.stringValue ?? "") }
        case .output:
            if let type = body["type"]?.stringValue {
                turnInProgress?.apply(chunkType: type, chunk: body)
            }
            applyChunk(body)
        }
    }

    private mutating func beginTurn(for input: InputRecord) {
        if input.isRegenerate {
            if messages.last?.role == "assistant" { messages.removeLast() }
        } else if let message = input.message {
            if let index = messages.firstIndex(where: { $0.id == message.id }) {
                messages[index] = message
            } else {
                messages.append(message)
            }
        }
    }

    private mutating func applyChunk(_ chunk: JSONValue) {
        guard let type = chunk["type"]?.stringValue else { return }
        if type == "start" {
            let id = chunk["messageId"]?.stringValue ?? "assistant-\(messages.count)"
            messages.append(UIMessage(id: id, role: "assistant", parts: []))
            openAssistant = messages.count - 1
            openParts = [:]
            return
        }
        guard let index = openAssistant else { return }
        switch type {
        case "text-start", "reasoning-start":
            let partType = type == "text-start" ? "text" : "reasoning"
            openParts["\(partType):\(chunk["id"]?.stringValue ?? "")"] = messages[index].parts.count
            messages[index].parts.append(["type": .string(partType), "text": "", "state": "streaming"])
        case "text-delta", "reasoning-delta":
            let partType = type == "text-delta" ? "text" : "reasoning"
            updatePart("\(partType):\(chunk["id"]?.stringValue ?? "")", in: index) { part in
                let text = (part["text"]?.stringValue ?? "") + (chunk["delta"]?.stringValue ?? "")
                part["text"] = .string(text)
            }
        case "text-end", "reasoning-end":
            let partType = type == "text-end" ? "text" : "reasoning"
            updatePart("\(partType):\(chunk["id"]?.stringValue ?? "")", in: index) { $0["state"] = "done" }
        case "tool-input-available":
            let callId = chunk["toolCallId"]?.stringValue ?? ""
            let name = chunk["toolName"]?.stringValue ?? ""
            openParts["tool:\(callId)"] = messages[index].parts.count
            messages[index].parts.append([
                "type": .string("tool-\(name)"), "toolCallId": .string(callId),
                "state": "input-available", "input": chunk["input"] ?? .null,
            ])
        case "tool-output-available":
            updatePart("tool:\(chunk["toolCallId"]?.stringValue ?? "")", in: index) { part in
                part["state"] = "output-available"
                part["output"] = chunk["output"] ?? .null
            }
        case "tool-output-error":
            updatePart("tool:\(chunk["toolCallId"]?.stringValue ?? "")", in: index) { part in
                part["state"] = "output-error"
                part["errorText"] = chunk["errorText"] ?? ""
            }
        case "start-step":
            messages[index].parts.append(["type": "step-start"])
        case "message-metadata":
            messages[index].metadata = Self.merge(messages[index].metadata, chunk["messageMetadata"])
        case "finish", "abort", "error":
            closeOpenParts(in: index)
            if type != "error" { openAssistant = nil }
        default:
            if type.hasPrefix("data-"), chunk["transient"]?.boolValue != true {
                messages[index].parts.append(["type": .string(type), "data": chunk["data"] ?? .null])
            }
        }
    }

    /// The AI SDK's `mergeObjects`: objects merge key by key, anything else replaces.
    static func merge(_ base: JSONValue?, _ update: JSONValue?) -> JSONValue? {
        guard let update else { return base }
        guard case .object(var merged) = base, case .object(let changes) = update else { return update }
        for (key, value) in changes { merged[key] = merge(merged[key], value) }
        return .object(merged)
    }

    private mutating func updatePart(_ key: String, in index: Int, _ change: (inout [String: JSONValue]) -> Void) {
        guard let partIndex = openParts[key], case .object(var part) = messages[index].parts[partIndex] else { return }
        change(&part)
        messages[index].parts[partIndex] = .object(part)
    }

    /// A stopped answer keeps what was streamed; its parts are marked done.
    private mutating func closeOpenParts(in index: Int) {
        for (key, _) in openParts where key.hasPrefix("text:") || key.hasPrefix("reasoning:") {
            updatePart(key, in: index) { $0["state"] = "done" }
        }
        openParts = openParts.filter { $0.key.hasPrefix("tool:") }
    }
}
