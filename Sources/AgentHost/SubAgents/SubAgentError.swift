/// Why a sub-agent call gave no answer. The text goes back to the calling
/// agent (its tool call's `tool-output-error`), so it says what happened in
/// words a model can act on.
enum SubAgentError: Error, CustomStringConvertible, Sendable {
    case unknownAgent(String)
    case depthLimit(agent: String, depth: Int, limit: Int)
    case fanOutLimit(agent: String, limit: Int)
    case failed(agent: String, chatId: String, reason: String)
    case stopped(agent: String, chatId: String)
    case notAChild(chatId: String)

    var description: String {
        switch self {
        case .unknownAgent(let agent):
            "sub-agent `\(agent)` does not exist: no loaded plugin has an agent with that id"
        case .depthLimit(let agent, let depth, let limit):
            "sub-agent `\(agent)` was not called: this chat is already \(depth) sub-agent level(s) deep, "
                + "and the daemon allows at most \(limit) (serve --max-agent-depth)"
        case .fanOutLimit(let agent, let limit):
            "sub-agent `\(agent)` was not called: this chat already runs \(limit) sub-agent calls at once, "
                + "the daemon's limit (serve --max-agent-fanout)"
        case .failed(let agent, let chatId, let reason):
            "sub-agent `\(agent)` (session \(chatId)) failed: \(reason)"
        case .stopped(let agent, let chatId):
            "sub-agent `\(agent)` (session \(chatId)) was stopped before it answered"
        case .notAChild(let chatId):
            "session `\(chatId)` exists and is not this call's sub-agent session"
        }
    }
}
