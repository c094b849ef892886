/// What a `BuildCatalog` says about every agent: its builds in the order they
/// were activated, newest first — the first is the decided (active) one — and
/// the builds published without any agent recorded for them yet.
///
/// A value with no I/O: the rules that turn the record into "which generation
/// serves here" and "what does a rollback restore" live here and are tested alone.
public struct BuildDecisions: Sendable, Hashable {
    /// Agent id → build hashes, most recently activated first.
    public var order: [String: [String]]
    /// Builds published (e.g. by `agent-host deploy --database`) that no daemon
    /// has loaded yet: which agents they hold is not known until one does.
    public var unrecorded: [String]

    /// - Parameters:
    ///   - order: Agent id → build hashes, most recently activated first.
    ///   - unrecorded: Published builds no agent is recorded for.
    public init(order: [String: [String]] = [:], unrecorded: [String] = []) {
        self.order = order
        self.unrecorded = unrecorded
    }

    /// The build decided for `agent`; nil when none is recorded.
    /// - Parameters:
    ///   - agent: The agent id.
    public func decided(_ agent: String) -> String? {
        order[agent]?.first
    }

    /// The build that should serve `agent` here: the decided one when it is
    /// loaded, else the most recently activated one that is (the decided build
    /// is missing or was refused on this machine). nil when none recorded is loaded.
    /// - Parameters:
    ///   - agent: The agent id.
    ///   - loaded: The builds of `agent` loaded here.
    public func target(for agent: String, loaded: Set<String>) -> String? {
        order[agent]?.first { loaded.contains($0) }
    }

    /// The builds a daemon should fetch from a shared catalog: every agent's
    /// decided build and every unrecorded one, without those in `have`.
    /// - Parameters:
    ///   - have: Builds loaded (or refused) here.
    public func wanted(excluding have: Set<String>) -> [String] {
        var seen = have
        var wanted: [String] = []
        for sha256 in order.keys.sorted().compactMap(decided) + unrecorded where seen.insert(sha256).inserted {
            wanted.append(sha256)
        }
        return wanted
    }

    /// The result of `rollback(agent:among:)`.
    public enum Rollback: Sendable, Hashable, Codable {
        /// `sha256` is decided again; `superseded` was before.
        case restored(agent: String, sha256: String, superseded: String)
        /// Nothing is recorded for the agent.
        case unknownAgent
        /// The agent has no earlier build that may be restored.
        case noEarlierBuild
    }

    /// What rolling `agent` back restores: the build activated before the
    /// current one, among `available` (the current one being the first of the
    /// agent's builds that is available).
    /// - Parameters:
    ///   - agent: The agent id.
    ///   - available: The builds that may be restored; nil: any recorded one.
    public func rollback(agent: String, among available: Set<String>?) -> Rollback {
        guard let builds = order[agent], !builds.isEmpty else { return .unknownAgent }
        let usable = builds.filter { available?.contains($0) ?? true }
        guard usable.count >= 2 else { return .noEarlierBuild }
        return .restored(agent: agent, sha256: usable[1], superseded: usable[0])
    }
}
