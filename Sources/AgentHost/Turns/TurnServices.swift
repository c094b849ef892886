import Logging

/// What running a turn needs from the daemon, passed in once.
struct TurnServices: Sendable {
    let registry: PluginRegistry
    let models: ModelCatalog
    let turns: TurnTable
    let logger: Logger
    /// A plugin that does not end a stopped turn within this time is left behind.
    var stopGracePeriod: Duration = .seconds(2)
    /// How often a turn may be cut off (daemon or worker died) and resumed;
    /// at this many it ends with an error instead.
    var recoveryBudget = 3
    /// How long a turn and a tool call may run.
    var limits = RunLimits()
    /// The files uploaded to sessions, which a turn's attachments refer to; nil: none kept.
    var files: (any FileStore)?
    /// Serves `agent.call` (sub-agents); nil in a host without sessions to create.
    var subAgents: SubAgentCalls?
    /// Where turns, model requests and tool calls are counted.
    var metrics = HostMetrics()
}

extension TurnServices {
    /// The agents' lifecycle hooks; a hook may take as long as a tool call.
    var hooks: LifecycleHooks {
        LifecycleHooks(registry: registry, turns: turns, timeout: limits.toolTimeout, logger: logger)
    }
}
