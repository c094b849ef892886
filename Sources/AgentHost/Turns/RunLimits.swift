import AgentWire

/// How long a turn and a tool call may run: the daemon's limits, which are
/// the defaults when an agent declares none and the caps when it declares more
/// (`serve --max-turn-duration`, `--tool-timeout`; README, "Run limits"); and
/// how much one turn may stream (`--max-turn-chunks`).
public struct RunLimits: Sendable, Hashable {
    /// The longest a turn may run, from its start to its `finish`.
    public var maxTurnDuration: Duration
    /// The longest one tool call may take.
    public var toolTimeout: Duration
    /// How many tool calls of one model step run at the same time (at least 1).
    public var maxConcurrentToolCalls: Int
    /// How many chunks one turn may stream (each is a log record) before it
    /// ends with an error: an agent, or a model, that never stops costs the
    /// log and every reader a bounded amount.
    public var maxTurnOutputChunks = 200_000

    /// - Parameters:
    ///   - maxTurnDuration: The turn limit's default and cap.
    ///   - toolTimeout: The tool timeout's default and cap.
    ///   - maxConcurrentToolCalls: How many calls of one step run at once (`serve --tool-concurrency`).
    public init(maxTurnDuration: Duration = .seconds(600), toolTimeout: Duration = .seconds(120), maxConcurrentToolCalls: Int = 4) {
        self.maxTurnDuration = maxTurnDuration
        self.toolTimeout = toolTimeout
        self.maxConcurrentToolCalls = max(1, maxConcurrentToolCalls)
    }

    /// The time limit of a turn of `agent`: what it declares, at most the cap.
    func turnLimit(for agent: AgentManifest?) -> Duration {
        Self.capped(agent?.maxTurnSeconds, by: maxTurnDuration)
    }

    /// The timeout of one call of `tool`: what it declares, at most the cap.
    func toolLimit(for tool: ToolSpec?) -> Duration {
        Self.capped(tool?.timeoutSeconds, by: toolTimeout)
    }

    private static func capped(_ declared: Double?, by cap: Duration) -> Duration {
        // The loader refuses a manifest with a limit that is not a positive number.
        guard let declared, declared > 0, declared < cap.totalSeconds else { return cap }
        return .seconds(declared)
    }

    /// The text of the `error` that ends a turn that streamed `maxTurnOutputChunks`.
    func outputLimitText(agent: String) -> String {
        "agent `\(agent)` streamed \(maxTurnOutputChunks) chunks in this turn, the most one turn may "
            + "(`serve --max-turn-chunks`), so it was ended. Send a new message to continue."
    }
}
