import AgentWire

extension ModelRequest {
    /// A deterministic stand-in for the input tokens of this request: one token
    /// per four characters of its system prompt and messages (a file counts
    /// its name only). What compaction measures when a model reports no usage,
    /// and what the scripted model `scripted:counting` reports.
    var estimatedInputTokens: Int {
        let characters = (system?.count ?? 0) + messages.reduce(0) { $0 + $1.estimatedCharacters }
        return Self.tokens(forCharacters: characters)
    }

    /// Four characters to a token, rounded up.
    static func tokens(forCharacters characters: Int) -> Int {
        (characters + 3) / 4
    }
}

extension ModelMessage {
    /// The characters of this message's text, tool inputs and tool results.
    var estimatedCharacters: Int {
        switch self {
        case .user(let parts):
            parts.reduce(0) { total, part in
                switch part {
                case .text(let text): total + text.count
                case .file(let file): total + (file.filename?.count ?? 0)
                }
            }
        case .assistant(let text, let calls, let reasoning):
            text.count + reasoning.reduce(0) { $0 + $1.text.count }
                + calls.reduce(0) { $0 + $1.name.count + ((try? WireCoding.encodeString($1.input))?.count ?? 0) }
        case .toolResult(_, let name, let output, _):
            name.count + ((try? WireCoding.encodeString(output))?.count ?? 0)
        }
    }
}
