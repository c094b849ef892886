import Logging

/// What every session needs from the daemon, passed in once.
struct SessionServices: Sendable {
    let storage: any SessionStorage
    let writer: LogWriter
    let registry: PluginRegistry
    let models: ModelCatalog
    let turns: TurnTable
    let logger: Logger
    /// A plugin that does not end a stopped turn within this time is left behind.
    var stopGracePeriod: Duration = .seconds(2)
    /// How often a turn may be cut off and resumed before it ends with an error.
    var recoveryBudget = 3
    /// How long a turn and a tool call may run.
    var limits = RunLimits()
    /// How far a live reader may fall behind before it is dropped (`LiveBuffer`).
    var readerBufferBytes = LiveBuffer.defaultLimitBytes
    /// The files uploaded to sessions; nil in a host that keeps none.
    var files: (any FileStore)?
    /// Serves `agent.call`: children are sessions of the same directory.
    var subAgents: SubAgentCalls?
    /// The queue cap and the input size limit.
    var inputLimits = InputLimits()
    /// Where turns, model requests and tool calls are counted, and `/metrics` reads them.
    var metrics = HostMetrics()
    /// On a database shared by several daemons: ownership, relayed writes, remote readers.
    var cluster: ClusterLink?

    /// Who owns which session: this daemon alone, unless it is one of a cluster.
    var ownership: any SessionOwnership { cluster?.ownership ?? SoleOwnership() }
    /// Where sessions note their changes for the session change feed; the
    /// directory sets it (`SessionDirectory.changes`).
    var changes: SessionChangeFeed?

    /// The part of these a running turn uses.
    var turnServices: TurnServices {
        TurnServices(registry: registry, models: models, turns: turns, logger: logger, stopGracePeriod: stopGracePeriod,
                     recoveryBudget: recoveryBudget, limits: limits, files: files, subAgents: subAgents, metrics: metrics)
    }
}
