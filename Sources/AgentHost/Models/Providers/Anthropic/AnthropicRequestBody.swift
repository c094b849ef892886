import AgentWire
import Foundation

/// Builds the Messages API request body for one step.
///
/// Anthropic wants strictly alternating roles, tool results as `tool_result`
/// blocks in a user message, no empty text blocks, and an assistant message's
/// thinking blocks first and signed. An assistant prefix becomes a final
/// assistant message (prefill) so the model continues it; Anthropic refuses a
/// prefill that ends in whitespace, so that is trimmed here and
/// `AnthropicPrefill` makes up for it in the streamed continuation.
enum AnthropicRequestBody {
    struct Options: Sendable {
        var maxTokens: Int
        /// `thinking.budget_tokens`; nil leaves extended thinking off.
        var thinkingBudget: Int?
    }

    /// - Throws: `ModelProviderError` (`unsupportedInput`) for an attachment
    ///   Anthropic cannot take: nothing is sent, and the turn's error names it.
    static func make(model: String, request: ModelRequest, options: Options) throws -> JSONValue {
        var turns: [(role: String, content: [JSONValue])] = []
        func add(_ role: String, _ content: [JSONValue]) {
            guard !content.isEmpty else { return }
            if turns.last?.role == role {
                turns[turns.count - 1].content += content
            } else {
                turns.append((role, content))
            }
        }
        let breakpoints = CacheMarks(request.cacheBreakpoints)
        for (index, message) in request.messages.enumerated() {
            // Each block with what a cache breakpoint may name it by.
            var blocks: [(block: JSONValue, name: ModelCacheBreakpoint.Block?)] = []
            switch message {
            case .user(let parts):
                for (offset, part) in parts.enumerated() {
                    if let block = try AnthropicContent.block(part) { blocks.append((block, .userPart(offset))) }
                }
                add("user", breakpoints.apply(to: blocks, message: index))
            case .assistant(let text, let calls, let reasoning):
                blocks = reasoning.compactMap(thinkingBlock).map { ($0, nil) }
                if !text.isEmpty { blocks.append((["type": "text", "text": .string(text)], .text)) }
                for call in calls {
                    let input: JSONValue = if case .object = call.input { call.input } else { .object([:]) }
                    blocks.append((["type": "tool_use", "id": .string(call.id), "name": .string(call.name), "input": input], .toolCall(call.id)))
                }
                add("assistant", breakpoints.apply(to: blocks, message: index))
            case .toolResult(let callId, _, let output, let isError):
                // A result that carries files goes back as blocks: text, images, documents.
                var content = JSONValue.string(ToolOutputText.render(output))
                if let parts = ModelContentPart.toolOutput(output) {
                    content = .array(try parts.compactMap(AnthropicContent.block))
                }
                var block: [String: JSONValue] = [
                    "type": "tool_result", "tool_use_id": .string(callId), "content": content,
                ]
                if isError { block["is_error"] = true }
                add("user", breakpoints.apply(to: [(.object(block), nil)], message: index))
            }
        }
        if let prefill = AnthropicPrefill.trimmed(request.assistantPrefix) {
            add("assistant", [["type": "text", "text": .string(prefill)]])
        }

        var body: [String: JSONValue] = [
            "model": .string(model),
            "max_tokens": .number(Double(options.maxTokens)),
            "stream": true,
            "messages": .array(turns.map { ["role": .string($0.role), "content": .array($0.content)] }),
        ]
        if let system = request.system, !system.isEmpty { body["system"] = .string(system) }
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map { tool in
                [
                    "name": .string(tool.name),
                    "description": .string(tool.description),
                    "input_schema": ToolOutputText.objectSchema(tool.inputSchema),
                ]
            })
        }
        if let budget = options.thinkingBudget {
            body["thinking"] = ["type": "enabled", "budget_tokens": .number(Double(budget))]
        }
        return .object(body)
    }

    /// Signed thinking and redacted thinking go back verbatim; unsigned
    /// reasoning (from another provider) cannot and is dropped.
    private static func thinkingBlock(_ reasoning: ModelReasoning) -> JSONValue? {
        if let data = reasoning.redactedData { return ["type": "redacted_thinking", "data": .string(data)] }
        guard let signature = reasoning.signature else { return nil }
        return ["type": "thinking", "thinking": .string(reasoning.text), "signature": .string(signature)]
    }
}

/// How tool results and schemas are written for providers that want text.
enum ToolOutputText {
    /// A string output goes as is; anything else as its JSON.
    static func render(_ output: JSONValue) -> String {
        if case .string(let text) = output { return text }
        return (try? WireCoding.encodeString(output)) ?? "null"
    }

    /// Providers require an object schema; a tool without one takes `{}`.
    static func objectSchema(_ schema: JSONValue) -> JSONValue {
        if case .object = schema { return schema }
        return ["type": "object", "properties": .object([:])]
    }
}

/// Anthropic rejects an assistant prefill that ends in whitespace. We send the
/// prefix trimmed and, when we trimmed something, drop the whitespace the model
/// then starts its continuation with, so prefix + continuation reads as one text.
struct AnthropicPrefill: Sendable {
    static func trimmed(_ prefix: String?) -> String? {
        guard let prefix else { return nil }
        var text = Substring(prefix)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return text.isEmpty ? nil : String(text)
    }

    /// True while leading whitespace of the continuation must still be dropped.
    private var skipLeadingWhitespace: Bool

    init(prefix: String?) {
        let trimmed = Self.trimmed(prefix)
        skipLeadingWhitespace = trimmed != nil && trimmed != prefix
    }

    mutating func continuation(_ delta: String) -> String {
        guard skipLeadingWhitespace else { return delta }
        let kept = delta.drop { $0.isWhitespace }
        if !kept.isEmpty { skipLeadingWhitespace = false }
        return String(kept)
    }
}
