import AgentWire
import CAgentABI

/// A loaded build the host runs turns on: in the daemon's own address space
/// (`LoadedPlugin`) or in a worker process (`WorkerPlugin`). The turn layer
/// sees only this, so both modes run turns, tools and stops the same way.
protocol PluginInstance: AnyObject, Sendable {
    /// The file name without `lib` and `.so`.
    var name: String { get }
    /// The build's identity.
    var sha256: String { get }
    var manifest: PluginManifest { get }
    var isolation: PluginIsolation { get }

    /// The plugin's `start_turn`; AGENT_OK means `finish_turn` (or, for a worker,
    /// the loss of the worker) will end the turn.
    func startTurn(_ request: TurnRequest) async -> agent_status
    /// The plugin's `cancel_turn`, preceded by a `cancelTurn` event saying why
    /// (ABI 1.1, to a plugin with `call_hook`). Returns once the reason is
    /// delivered (in-process) or on its way ahead of anything sent after (a
    /// worker reads its socket in order): cancel the turn's service calls after
    /// it, so the plugin knows why before its model call fails.
    func cancelTurn(_ turnId: UInt64, reason: CancelReason) async
    /// Whether the plugin has `call_hook` (ABI 1.1): only then does it get lifecycle events.
    var hasHooks: Bool { get }
    /// The plugin's `call_hook`: one lifecycle event as JSON (`HookEvent`); the
    /// reply is the plugin's result JSON, or an error message. `turnId` is the
    /// id the plugin writes data parts under, or 0.
    func callHook(turnId: UInt64, json: String) async -> (agent_status, String)
    /// The host ended a turn that overran its time limit without its plugin:
    /// cancel it there, and keep a plugin that does not end it from holding the
    /// build forever. In-process nothing more can be done (a plugin thread that
    /// never returns stays behind); a worker still running the turn after
    /// `grace` is killed, and its other turns resume on a fresh one.
    func abandonTurn(_ turnId: UInt64, grace: Duration)
    /// Runs a tool; the reply is the output JSON, or an error message.
    func callTool(turnId: UInt64, _ request: ToolCallRequest) async -> (agent_status, String)
    /// Every generation this build serves is retired: call the plugin's
    /// `shutdown` and, for a worker, let the process go. Returns within `deadline`.
    func retire(deadline: Duration) async
    /// What `GET /api/v1/agents` shows about how the build runs.
    var runtimeInfo: GenerationRuntimeInfo { get }
}

/// How a build runs, for operators: where, and for a worker its process.
public struct GenerationRuntimeInfo: Sendable, Codable, Hashable {
    public var isolation: PluginIsolation
    /// The live worker's process id; nil in-process or while no worker runs.
    public var workerPid: Int32?
    /// Worker processes of this build that died while serving it.
    public var workerCrashes: Int?
    /// The live worker's resident memory.
    public var workerMemoryBytes: Int?
}
