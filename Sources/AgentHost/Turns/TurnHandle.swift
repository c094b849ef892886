import AgentWire
import CAgentABI
import Synchronization

/// The session's grip on its running turn: stop it, see which generation serves it.
///
/// A stop may arrive before the turn has a plugin to cancel (it is still
/// leasing a generation); it is remembered and carried out on `attach`.
final class TurnHandle: Sendable {
    private struct State {
        var stopRequested = false
        var channel: TurnChannel?
        var plugin: (any PluginInstance)?
        var generationId: Int?
        var stopReason: CancelReason?
    }

    private let state = Mutex(State())
    private let stopGracePeriod: Duration
    /// What the turn's last model step cost and asked: what compaction decides on.
    let lastStep = LastStepProbe()

    init(stopGracePeriod: Duration) {
        self.stopGracePeriod = stopGracePeriod
    }

    var generationId: Int? { state.withLock { $0.generationId } }
    var stopRequested: Bool { state.withLock { $0.stopRequested } }

    /// Cancels the plugin's turn and its model call. A plugin that does not
    /// end the turn within the grace period is not waited for.
    /// - Parameters:
    ///   - reason: `.stop` for a user's stop, `.close` when the session closes.
    func stop(reason: CancelReason = .stop) {
        let (channel, plugin, first) = state.withLock { state in
            defer {
                state.stopRequested = true
                if state.stopReason == nil { state.stopReason = reason }
            }
            return (state.channel, state.plugin, !state.stopRequested)
        }
        guard first, let channel, let plugin else { return }
        Self.cancel(channel: channel, plugin: plugin, reason: reason, grace: stopGracePeriod)
    }

    /// The turn runs on `plugin` through `channel` now. A stop that arrived
    /// before is carried out at once; returns true then.
    @discardableResult
    func attach(channel: TurnChannel, plugin: any PluginInstance, generationId: Int) -> Bool {
        let (stopped, reason) = state.withLock { state in
            state.channel = channel
            state.plugin = plugin
            state.generationId = generationId
            return (state.stopRequested, state.stopReason ?? .stop)
        }
        if stopped { Self.cancel(channel: channel, plugin: plugin, reason: reason, grace: stopGracePeriod) }
        return stopped
    }

    private static func cancel(channel: TurnChannel, plugin: any PluginInstance, reason: CancelReason, grace: Duration) {
        // Before any cancellation: a sub-agent call that sees it stops its child.
        channel.markEndingForGood()
        Task {
            // The reason first: the plugin's model call then fails on a turn that knows why.
            await plugin.cancelTurn(channel.turnId, reason: reason)
            channel.cancelServices()
        }
        Task {
            try? await Task.sleep(for: grace)
            channel.finish(status: AGENT_ERR_CANCELLED, result: "the agent did not end the stopped turn in time")
        }
    }
}
