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
        var result: [ModelMessage] = []
        for message in prompt {
            switch message.role {
            case .user:
                result.append(.user(parts: try message.parts.map { part in
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
                    case .text: text += part.text ?? ""
                    case .reasoning:
                        reasoning.append(ModelReasoning(text: part.text ?? "", signature: part.signature, redactedData: part.redactedData))
                    case .toolCall:
                        guard let id = part.toolCallId, let name = part.toolName else {
                            throw AgentHostError.badRequest("prepareMessages: a tool call needs `toolCallId` and `toolName`")
                        }
                        calls.append(ModelToolCall(id: id, name: name, input: part.input ?? .object([:])))
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
                    result.append(.toolResult(callId: id, name: name, output: part.output ?? .null, isError: part.isError ?? false))
                }
            }
        }
        return result
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
