/// How far delegation may go (`serve --max-agent-depth`, `--max-agent-fanout`;
/// README, "Sub-agents"): an agent that calls itself, or a tree of agents that
/// keep delegating, ends at these limits with an error its model can read,
/// instead of filling the daemon with sessions.
public struct SubAgentLimits: Sendable, Hashable {
    /// How many sub-agent levels a chat may have below it: 1 lets a chat's
    /// agent call others, but not those others call further.
    public var maxDepth: Int
    /// How many sub-agent calls one session may have running at once.
    public var maxConcurrentPerSession: Int

    /// - Parameters:
    ///   - maxDepth: Sub-agent levels below a chat (at least 0; 0 turns delegation off).
    ///   - maxConcurrentPerSession: Sub-agent calls one session runs at once (at least 1).
    public init(maxDepth: Int = 3, maxConcurrentPerSession: Int = 4) {
        self.maxDepth = max(0, maxDepth)
        self.maxConcurrentPerSession = max(1, maxConcurrentPerSession)
    }
}
