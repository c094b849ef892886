import AgentWire
import CAgentABI

/// Where a loaded plugin's calls into the host go: the turns it names by id.
///
/// Plugins know turns only by id, so a late call for a turn that is over is a
/// lookup miss (`false`), never a use-after-free. The turn table implements
/// this; the plugin layer needs nothing else from the turn layer.
protocol PluginTurnCallbacks: Sendable {
    /// A chunk the plugin writes into the turn's stream. False: no such turn.
    func emit(turnId: UInt64, chunk: UIChunk) -> Bool
    /// A host service call (`model.stream`, `state.save`); `completion` runs exactly
    /// once with the reply. False: no such turn, and `completion` never runs.
    func callService(
        turnId: UInt64, service: String, request: String,
        completion: @escaping @Sendable (agent_status, String) -> Void
    ) -> Bool
    /// The plugin's `finish_turn`.
    func finishTurn(turnId: UInt64, status: agent_status, result: String)
}

/// The daemon's side of the same calls, which also hears of turns whose
/// worker process died. Inside a worker, nothing loses turns.
protocol HostTurnCallbacks: PluginTurnCallbacks {
    /// The worker process running the turn died (crash, kill, memory limit):
    /// the turn will never finish there and resumes from its checkpoint.
    func turnLost(turnId: UInt64, reason: String)
}
