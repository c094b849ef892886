import AgentHost
import ArgumentParser

/// Where plugins run and what contains them; shared by `serve` and `dev`.
struct IsolationOptions: ParsableArguments {
    @Option(help: "Where plugins run: worker (a process per build; a crash costs the worker) or in-process. Default: worker, or AGENT_HOST_ISOLATION.")
    var isolation: PluginIsolation?

    @Option(name: .customLong("isolate"), help: "Run this plugin (file name without lib and .so) in a worker process, whatever --isolation says. Repeatable.")
    var isolated: [String] = []

    @Option(name: .customLong("in-process"), help: "Run this plugin in the daemon's process, whatever --isolation says. Repeatable.")
    var inProcess: [String] = []

    @Option(help: "A worker whose resident memory passes this many MiB is killed; its turns resume on a fresh one. 0: no limit.")
    var workerMemoryLimit: Int = 1024

    @Option(help: "Seconds a worker may take to load its plugin before the build is refused.")
    var workerLoadTimeout: Double = 30

    @Option(help: "Seconds a retiring build's shutdown may take; a worker still running then is killed.")
    var pluginShutdownTimeout: Double = 10

    @Option(help: "How often a turn may be cut off (its worker or the daemon died) and resumed before it ends with an error.")
    var recoveryBudget: Int = 3

    @Option(help: "Seconds a turn may run before it ends with an error: the default for agents that declare no limit, and the cap for those that declare more.")
    var maxTurnDuration: Double = 600

    @Option(help: "Seconds a tool call may take before the model gets a timeout error instead: the default, and the cap for tools that declare more.")
    var toolTimeout: Double = 120

    @Option(help: "How many tool calls of one model step run at the same time; their outputs stay in call order.")
    var toolConcurrency: Int = 4

    @Option(help: "How many sub-agent levels a chat may have below it (an agent calling agents calling agents); a call past it is the calling tool's error. 0: no sub-agents.")
    var maxAgentDepth: Int = 3

    @Option(help: "How many sub-agent calls one session may run at the same time; a call past it is the calling tool's error.")
    var maxAgentFanout: Int = 4

    @Option(help: "A reader's token with less than this many seconds (or a quarter of its lifetime) left gets a fresh one on its /out stream at the next turn's end.")
    var tokenRefreshWindow: Double = 600

    @Option(help: "Seconds a replaced build may go on running its turns; then they move to the active build (or end, for agents that drain).")
    var drainTimeout: Double = 60

    func apply(to configuration: inout DaemonConfiguration) throws {
        guard workerMemoryLimit >= 0 else { throw ValidationError("--worker-memory-limit must not be negative") }
        guard recoveryBudget >= 1 else { throw ValidationError("--recovery-budget must be at least 1") }
        if let isolation { configuration.isolation.defaultMode = isolation }
        for name in isolated { configuration.isolation.overrides[name] = .worker }
        for name in inProcess { configuration.isolation.overrides[name] = .inProcess }
        configuration.workerMemoryLimitBytes = workerMemoryLimit > 0 ? workerMemoryLimit * 1024 * 1024 : nil
        configuration.recoveryBudget = recoveryBudget
        guard workerLoadTimeout > 0, pluginShutdownTimeout > 0 else {
            throw ValidationError("--worker-load-timeout and --plugin-shutdown-timeout must be positive")
        }
        configuration.workerLoadTimeout = .milliseconds(Int64(workerLoadTimeout * 1000))
        configuration.pluginShutdownTimeout = .milliseconds(Int64(pluginShutdownTimeout * 1000))
        guard maxTurnDuration > 0, toolTimeout > 0, drainTimeout > 0 else {
            throw ValidationError("--max-turn-duration, --tool-timeout and --drain-timeout must be positive")
        }
        guard toolConcurrency >= 1 else { throw ValidationError("--tool-concurrency must be at least 1") }
        configuration.runLimits = RunLimits(
            maxTurnDuration: .seconds(maxTurnDuration), toolTimeout: .seconds(toolTimeout), maxConcurrentToolCalls: toolConcurrency
        )
        configuration.drainTimeout = .seconds(drainTimeout)
        guard maxAgentDepth >= 0, maxAgentFanout >= 1 else {
            throw ValidationError("--max-agent-depth must not be negative and --max-agent-fanout must be at least 1")
        }
        configuration.subAgentLimits = SubAgentLimits(maxDepth: maxAgentDepth, maxConcurrentPerSession: maxAgentFanout)
        guard tokenRefreshWindow >= 0 else { throw ValidationError("--token-refresh-window must not be negative") }
        configuration.tokenRefresh.window = .milliseconds(Int64(tokenRefreshWindow * 1000))
    }
}

extension PluginIsolation: ExpressibleByArgument {}
