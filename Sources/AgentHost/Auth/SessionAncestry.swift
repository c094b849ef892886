/// The sessions above a sub-agent's session: its parent, the parent's parent, …
///
/// A token that may read a chat may also read the sub-agent sessions its turns
/// called (a person watching an answer may open the work it delegated), but
/// never write them: a child's input comes from its parent's tool call only.
struct SessionAncestry: Sendable {
    let storage: any SessionStorage

    /// A chain longer than this is not followed; the daemon's sub-agent depth
    /// limit (`--max-agent-depth`) keeps real chains far shorter.
    static let maxDepth = 32

    /// The chat ids above `chatId`, nearest first; empty for a session that no
    /// sub-agent call created, or that does not exist.
    /// - Parameters:
    ///   - chatId: the session whose ancestors are wanted.
    func ancestors(of chatId: String) async throws -> [String] {
        var ancestors: [String] = []
        var current = chatId
        while ancestors.count < Self.maxDepth, let parent = try await storage.session(chatId: current)?.parentChatId {
            // A cycle cannot be created through the API; stop rather than trust that.
            guard parent != chatId, !ancestors.contains(parent) else { break }
            ancestors.append(parent)
            current = parent
        }
        return ancestors
    }
}
