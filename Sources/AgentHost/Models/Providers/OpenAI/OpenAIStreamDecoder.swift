import AgentWire
import Foundation

/// OpenAI Chat Completions streaming → `ModelEvent`s (reference/protocols.md §5).
///
/// Unnamed `data:` events, one JSON chunk each, ended by `data: [DONE]`. Tool
/// call fragments are merged by their `index`, never by array position; a new
/// `id` at a known index starts a new call (some compatible servers reuse index
/// 0 for parallel calls). Calls are completed when the stream ends, as the AI
/// SDK does. Usage arrives in a final chunk with empty `choices` because the
/// request sets `stream_options.include_usage`. `delta.reasoning_content` /
/// `delta.reasoning` (DeepSeek, vLLM, Ollama, OpenRouter) become reasoning.
struct OpenAIStreamDecoder: ProviderStreamDecoder {
    let provider = "OpenAI"

    private struct Call {
        var id: String
        var name: String
        var arguments: String
    }

    private var calls: [Call] = []
    /// `tool_calls[].index` → position in `calls`.
    private var callAtIndex: [Int: Int] = [:]
    private var finishReason: String?
    private var usage: ModelUsage?
    private var done = false

    mutating func decode(_ event: ServerSentEvent) throws -> [ModelEvent] {
        guard !done else { return [] }
        let data = event.data.trimmingCharacters(in: .whitespaces)
        if data == "[DONE]" {
            done = true
            return try complete()
        }
        let json: JSONValue
        do {
            json = try WireCoding.decode(JSONValue.self, from: data)
        } catch {
            throw malformed("`\(ProviderErrorBody.snippet(data, limit: 120))` is not JSON")
        }
        if let error = json["error"], error != .null {
            let type = error["type"]?.stringValue ?? error["code"]?.stringValue ?? "error"
            let message = error["message"]?.stringValue ?? error.stringValue ?? "the stream reported an error"
            throw ModelProviderError(provider: provider, kind: .streamError(type: type), message: message)
        }
        if let reported = json["usage"], case .object = reported {
            let prompt = reported["prompt_tokens"]?.count ?? 0
            let completion = reported["completion_tokens"]?.count ?? 0
            let cached = reported["prompt_tokens_details"]?["cached_tokens"]?.count
            usage = ModelUsage(inputTokens: prompt, outputTokens: completion, cachedInputTokens: cached)
        }
        // We ask for one choice; a server that sends more is answered with the first.
        guard let choice = json["choices"]?.arrayValue?.first(where: { ($0["index"]?.doubleValue ?? 0) == 0 }) else {
            return []
        }
        var events: [ModelEvent] = []
        let delta = choice["delta"]
        for key in ["reasoning_content", "reasoning"] {
            if let text = delta?[key]?.stringValue, !text.isEmpty { events.append(.reasoningDelta(text)) }
        }
        if let text = delta?["content"]?.stringValue, !text.isEmpty { events.append(.textDelta(text)) }
        if let text = delta?["refusal"]?.stringValue, !text.isEmpty { events.append(.textDelta(text)) }
        for fragment in delta?["tool_calls"]?.arrayValue ?? [] {
            events += try merge(fragment)
        }
        if let reason = choice["finish_reason"]?.stringValue { finishReason = reason }
        return events
    }

    mutating func finish() throws -> [ModelEvent] {
        if done { return [] }
        // A server that closes after the finish reason without `[DONE]` said
        // everything; one that closes before it was cut off.
        guard finishReason != nil else {
            throw ModelProviderError(provider: provider, kind: .truncated, message: "the stream closed before `[DONE]`")
        }
        done = true
        return try complete()
    }

    private mutating func merge(_ fragment: JSONValue) throws -> [ModelEvent] {
        let index = fragment["index"]?.count ?? calls.count
        let id = fragment["id"]?.stringValue ?? ""
        let name = fragment["function"]?["name"]?.stringValue ?? ""
        let arguments = fragment["function"]?["arguments"]?.stringValue ?? ""
        var events: [ModelEvent] = []
        let position: Int
        if let known = callAtIndex[index], id.isEmpty || id == calls[known].id {
            position = known
        } else {
            guard !name.isEmpty else {
                throw malformed("the first delta of tool call \(index) has no function name")
            }
            calls.append(Call(id: id.isEmpty ? "call_\(calls.count)" : id, name: name, arguments: ""))
            position = calls.count - 1
            callAtIndex[index] = position
            events.append(.toolInputStart(id: calls[position].id, name: name))
        }
        if !arguments.isEmpty {
            calls[position].arguments += arguments
            events.append(.toolInputDelta(id: calls[position].id, delta: arguments))
        }
        return events
    }

    private func complete() throws -> [ModelEvent] {
        var events: [ModelEvent] = []
        for call in calls {
            let input: JSONValue
            if call.arguments.trimmingCharacters(in: .whitespaces).isEmpty {
                input = .object([:])
            } else if let parsed = try? WireCoding.decode(JSONValue.self, from: call.arguments) {
                input = parsed
            } else {
                throw malformed(
                    "the arguments of tool call `\(call.name)` are not valid JSON: \(ProviderErrorBody.snippet(call.arguments, limit: 120))"
                )
            }
            events.append(.toolCall(id: call.id, name: call.name, input: input))
        }
        if let usage { events.append(.usage(usage)) }
        events.append(.finish(Self.finishReason(finishReason, hasToolCalls: !calls.isEmpty)))
        return events
    }

    private func malformed(_ message: String) -> ModelProviderError {
        ModelProviderError(provider: provider, kind: .malformed, message: message)
    }

    /// `map-openai-finish-reason.ts`. Some compatible servers end a tool call
    /// with `stop`; the calls are what matters to the step loop.
    static func finishReason(_ reason: String?, hasToolCalls: Bool = false) -> FinishReason {
        switch reason {
        case "stop", nil: hasToolCalls ? .toolCalls : .stop
        case "length": .length
        case "content_filter": .contentFilter
        case "tool_calls", "function_call": .toolCalls
        default: .other
        }
    }
}
