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
    }
}

extension PluginIsolation: ExpressibleByArgument {}
