import Foundation
import AgentWire

/// Anthropic Messages streaming → `ModelEvent`s (reference/protocols.md §4).
///
/// Dispatches on the JSON `type` (the SSE `event:` name is only a fallback),
/// keys content blocks by `index`, concatenates `input_json_delta`s and parses
/// them at `content_block_stop` (empty means `{}`), keeps thinking signatures,
/// skips `ping` and ignores event, block and delta types it does not know.
struct AnthropicStreamDecoder: ProviderStreamDecoder {
    let provider = "Anthropic"

    private enum Block {
        case text
        case thinking(signature: String?)
        case toolUse(id: String, name: String, json: String, preset: JSONValue?)
        case ignored
    }

    private var blocks: [Int: Block] = [:]
    private var stopReason: String?
    private var inputTokens = 0
    private var cacheReadTokens: Int?
    private var cacheWriteTokens: Int?
    private var outputTokens = 0
    private var sawUsage = false
    private var completed = false
    private var prefill: AnthropicPrefill

    /// `assistantPrefix`: the prefill the request ended with, if any; the
    /// stream then carries only its continuation.
    init(assistantPrefix: String? = nil) {
        prefill = AnthropicPrefill(prefix: assistantPrefix)
    }

    mutating func decode(_ event: ServerSentEvent) throws -> [ModelEvent] {
        guard !completed else { return [] }
        let json: JSONValue
        do {
            json = try WireCoding.decode(JSONValue.self, from: event.data)
        } catch {
            throw malformed("`\(ProviderErrorBody.snippet(event.data, limit: 120))` is not JSON")
        }
        switch json["type"]?.stringValue ?? event.event {
        case "message_start":
            readUsage(json["message"]?["usage"])
            return []
        case "content_block_start":
            return try startBlock(json)
        case "content_block_delta":
            return try applyDelta(json)
        case "content_block_stop":
            return try stopBlock(json)
        case "message_delta":
            if let reason = json["delta"]?["stop_reason"]?.stringValue { stopReason = reason }
            readUsage(json["usage"])
            return []
        case "message_stop":
            completed = true
            var events: [ModelEvent] = []
            if sawUsage {
                let cached = cacheReadTokens
                let input = inputTokens + (cacheReadTokens ?? 0) + (cacheWriteTokens ?? 0)
                events.append(.usage(ModelUsage(inputTokens: input, outputTokens: outputTokens, cachedInputTokens: cached)))
            }
            events.append(.finish(Self.finishReason(stopReason)))
            return events
        case "error":
            let type = json["error"]?["type"]?.stringValue ?? "error"
            let message = json["error"]?["message"]?.stringValue ?? "the stream reported an error"
            throw ModelProviderError(provider: provider, kind: .streamError(type: type), message: message)
        default:
            return []  // `ping`, and event types newer than this client
        }
    }

    mutating func finish() throws -> [ModelEvent] {
        guard completed else {
            throw ModelProviderError(provider: provider, kind: .truncated, message: "the stream closed before `message_stop`")
        }
        return []
    }

    private mutating func startBlock(_ json: JSONValue) throws -> [ModelEvent] {
        let index = try index(of: json)
        let block = json["content_block"]
        switch block?["type"]?.stringValue {
        case "text":
            blocks[index] = .text
            return text(block?["text"]?.stringValue)
        case "thinking":
            blocks[index] = .thinking(signature: nil)
            let text = block?["thinking"]?.stringValue ?? ""
            return text.isEmpty ? [] : [.reasoningDelta(text)]
        case "redacted_thinking":
            blocks[index] = .ignored
            return [.reasoningRedacted(data: block?["data"]?.stringValue ?? "")]
        case "tool_use":
            guard let id = block?["id"]?.stringValue, !id.isEmpty,
                  let name = block?["name"]?.stringValue, !name.isEmpty
            else { throw malformed("a `tool_use` block without an id or a name") }
            // A non-empty input at start is pre-populated (programmatic tool calling).
            let preset = block?["input"].flatMap { input -> JSONValue? in
                if case .object(let fields) = input, !fields.isEmpty { return input }
                return nil
            }
            blocks[index] = .toolUse(id: id, name: name, json: "", preset: preset)
            return [.toolInputStart(id: id, name: name)]
        default:
            blocks[index] = .ignored  // server tools, fallback blocks, future block types
            return []
        }
    }

    private mutating func applyDelta(_ json: JSONValue) throws -> [ModelEvent] {
        let index = try index(of: json)
        let delta = json["delta"]
        switch (blocks[index], delta?["type"]?.stringValue) {
        case (.text, "text_delta"):
            return text(delta?["text"]?.stringValue)
        case (.thinking, "thinking_delta"):
            let text = delta?["thinking"]?.stringValue ?? ""
            return text.isEmpty ? [] : [.reasoningDelta(text)]
        case (.thinking, "signature_delta"):
            blocks[index] = .thinking(signature: delta?["signature"]?.stringValue)
            return []
        case (.toolUse(let id, let name, let json, let preset), "input_json_delta"):
            let fragment = delta?["partial_json"]?.stringValue ?? ""
            blocks[index] = .toolUse(id: id, name: name, json: json + fragment, preset: preset)
            return fragment.isEmpty ? [] : [.toolInputDelta(id: id, delta: fragment)]
        case (nil, _):
            throw malformed("a delta for content block \(index), which never started")
        default:
            return []  // citations and delta types newer than this client
        }
    }

    private mutating func stopBlock(_ json: JSONValue) throws -> [ModelEvent] {
        let index = try index(of: json)
        defer { blocks[index] = .ignored }
        switch blocks[index] {
        case .thinking(let signature):
            return [.reasoningEnd(signature: signature)]
        case .toolUse(let id, let name, let text, let preset):
            let input: JSONValue
            if text.trimmingCharacters(in: .whitespaces).isEmpty {
                input = preset ?? .object([:])
            } else if let parsed = try? WireCoding.decode(JSONValue.self, from: text) {
                input = parsed
            } else {
                throw malformed("the arguments of tool call `\(name)` are not valid JSON: \(ProviderErrorBody.snippet(text, limit: 120))")
            }
            return [.toolCall(id: id, name: name, input: input)]
        default:
            return []
        }
    }

    private mutating func text(_ delta: String?) -> [ModelEvent] {
        let text = prefill.continuation(delta ?? "")
        return text.isEmpty ? [] : [.textDelta(text)]
    }

    /// `message_start` carries input tokens; `message_delta` cumulative output
    /// tokens and sometimes final input counts. Either may be absent.
    private mutating func readUsage(_ usage: JSONValue?) {
        guard let usage, case .object = usage else { return }
        sawUsage = true
        if let value = usage["input_tokens"]?.count { inputTokens = value }
        if let value = usage["output_tokens"]?.count { outputTokens = value }
        if let value = usage["cache_read_input_tokens"]?.count { cacheReadTokens = value }
        if let value = usage["cache_creation_input_tokens"]?.count { cacheWriteTokens = value }
    }

    private func index(of json: JSONValue) throws -> Int {
        guard let value = json["index"]?.count else {
            throw malformed("a content block event without a valid `index`")
        }
        return value
    }

    private func malformed(_ message: String) -> ModelProviderError {
        ModelProviderError(provider: provider, kind: .malformed, message: message)
    }

    /// `map-anthropic-stop-reason.ts`.
    static func finishReason(_ stopReason: String?) -> FinishReason {
        switch stopReason {
        case "end_turn", "stop_sequence", "pause_turn": .stop
        case "tool_use": .toolCalls
        case "max_tokens", "model_context_window_exceeded": .length
        case "refusal": .contentFilter
        case nil: .stop
        default: .other
        }
    }
}
