import AgentWire

/// The model context as an agent's `prepareMessages` sees it (`PromptMessage`)
/// and back. Files whose bytes the host holds cross as a `fileRef` into the
/// `files` table that goes with the conversion, so a PDF is not copied into
/// JSON for every model request; a URL file crosses as its URL.
struct PromptConversion: Sendable {
    /// The files the prompt's `fileRef`s point at, by index.
    private(set) var files: [ModelFile] = []

    /// `messages` as prompt messages; fills `files`.
    mutating func prompt(_ messages: [ModelMessage]) -> [PromptMessage] {
        messages.map { message in
            switch message {
            case .user(let parts):
                return PromptMessage(role: .user, parts: parts.map { part in
                    switch part {
                    case .text(let text): return .text(text)
                    case .file(let file): return filePart(file)
                    }
                })
            case .assistant(let text, let calls, let reasoning):
                var parts = reasoning.map { block in
                    var part = PromptPart(type: .reasoning)
                    part.text = block.text
                    part.signature = block.signature
                    part.redactedData = block.redactedData
                    return part
                }
                if !text.isEmpty { parts.append(.text(text)) }
                parts += calls.map { call in
                    var part = PromptPart(type: .toolCall)
                    part.toolCallId = call.id
                    part.toolName = call.name
                    part.input = call.input
                    return part
                }
                return PromptMessage(role: .assistant, parts: parts)
            case .toolResult(let callId, let name, let output, let isError):
                var part = PromptPart(type: .toolResult)
                part.toolCallId = callId
                part.toolName = name
                part.output = output
                part.isError = isError
                return PromptMessage(role: .tool, parts: [part])
            }
        }
    }

    private mutating func filePart(_ file: ModelFile) -> PromptPart {
        var part = PromptPart(type: .file)
        part.mediaType = file.mediaType
        part.filename = file.filename
        if case .url(let url) = file.source {
            part.url = url
        } else {
            part.fileRef = files.count
            files.append(file)
        }
        return part
    }

    /// The model messages an agent's prompt stands for.
    /// - Throws: `AgentHostError.badRequest` for a part its message cannot hold
    ///   (a tool call in a user message, a `fileRef` that names no file).
    func messages(_ prompt: [PromptMessage]) throws -> [ModelMessage] {
        try messages(withBreakpoints: prompt).messages
    }

    /// The model messages an agent's prompt stands for, and the cache
    /// breakpoints its `cacheControl` marks set, by the block each names.
    /// - Throws: `AgentHostError.badRequest` as `messages(_:)`.
    func messages(withBreakpoints prompt: [PromptMessage]) throws -> (messages: [ModelMessage], breakpoints: Set<ModelCacheBreakpoint>) {
        var result: [ModelMessage] = []
        var breakpoints: Set<ModelCacheBreakpoint> = []
        func mark(_ part: PromptPart, _ block: ModelCacheBreakpoint.Block, message index: Int) {
            if part.cacheControl != nil { breakpoints.insert(ModelCacheBreakpoint(message: index, block: block)) }
        }
        for message in prompt {
            switch message.role {
            case .user:
                let index = result.count
                result.append(.user(parts: try message.parts.enumerated().map { offset, part in
                    mark(part, .userPart(offset), message: index)
                    switch part.type {
                    case .text: return .text(part.text ?? "")
                    case .file: return .file(try file(part))
                    default: throw AgentHostError.badRequest("prepareMessages: a user message holds text and files only")
                    }
                }))
            case .assistant:
                var text = ""
                var calls: [ModelToolCall] = []
                var reasoning: [ModelReasoning] = []
                for part in message.parts {
                    switch part.type {
                    case .text:
                        text += part.text ?? ""
                        mark(part, .text, message: result.count)
                    case .reasoning:
                        reasoning.append(ModelReasoning(text: part.text ?? "", signature: part.signature, redactedData: part.redactedData))
                        // Thinking blocks take no `cache_control`: the message's last block does.
                        mark(part, .last, message: result.count)
                    case .toolCall:
                        guard let id = part.toolCallId, let name = part.toolName else {
                            throw AgentHostError.badRequest("prepareMessages: a tool call needs `toolCallId` and `toolName`")
                        }
                        calls.append(ModelToolCall(id: id, name: name, input: part.input ?? .object([:])))
                        mark(part, .toolCall(id), message: result.count)
                    case .file, .toolResult:
                        throw AgentHostError.badRequest("prepareMessages: an assistant message holds reasoning, text and tool calls only")
                    }
                }
                result.append(.assistant(text: text, toolCalls: calls, reasoning: reasoning))
            case .tool:
                for part in message.parts {
                    guard part.type == .toolResult, let id = part.toolCallId, let name = part.toolName else {
                        throw AgentHostError.badRequest("prepareMessages: a tool message holds tool results with `toolCallId` and `toolName`")
                    }
                    mark(part, .last, message: result.count)
                    result.append(.toolResult(callId: id, name: name, output: part.output ?? .null, isError: part.isError ?? false))
                }
            }
            if message.cacheControl != nil, !result.isEmpty {
                breakpoints.insert(ModelCacheBreakpoint(message: result.count - 1, block: .last))
            }
        }
        return (result, breakpoints)
    }

    private func file(_ part: PromptPart) throws -> ModelFile {
        if let ref = part.fileRef {
            guard files.indices.contains(ref) else { throw AgentHostError.badRequest("prepareMessages: `fileRef` \(ref) names no file") }
            return files[ref]
        }
        guard let url = part.url else { throw AgentHostError.badRequest("prepareMessages: a file part needs `url` or `fileRef`") }
        return ModelFile(mediaType: part.mediaType ?? "application/octet-stream", filename: part.filename, source: .url(url))
    }
}
