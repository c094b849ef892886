import AgentWire
import CAgentABI
import Synchronization

/// Live turns by id. Plugins name turns by id, so a late callback for a turn
/// that is over is a lookup miss, not a use-after-free.
///
/// It is also what a plugin's calls into the host reach (`PluginTurnCallbacks`):
/// chunks, service calls and `finish_turn`, routed to the turn's channel.
final class TurnTable: Sendable {
    private let channels = Mutex<[UInt64: TurnChannel]>([:])
    private let nextId = Atomic<UInt64>(1)

    func open(serve: @escaping TurnChannel.ServiceHandler) -> TurnChannel {
        let id = nextId.wrappingAdd(1, ordering: .relaxed).oldValue
        let channel = TurnChannel(turnId: id, serve: serve)
        channels.withLock { $0[id] = channel }
        return channel
    }

    func channel(_ id: UInt64) -> TurnChannel? {
        channels.withLock { $0[id] }
    }

    func close(_ id: UInt64) {
        _ = channels.withLock { $0.removeValue(forKey: id) }
    }
}

extension TurnTable: HostTurnCallbacks {
    func emit(turnId: UInt64, chunk: UIChunk) -> Bool {
        guard let channel = channel(turnId) else { return false }
        // A preliminary output only for a call that runs: never after the final one.
        if case .toolOutputPreliminary(let callId, _) = chunk, !channel.isRunningToolCall(callId) { return false }
        channel.send(chunk)
        return true
    }

    func callService(
        turnId: UInt64, service: String, request: String,
        completion: @escaping @Sendable (agent_status, String) -> Void
    ) -> Bool {
        guard let channel = channel(turnId) else { return false }
        channel.track(Task {
            do {
                completion(AGENT_OK, try await channel.serve(channel, service, request))
            } catch is CancellationError {
                completion(AGENT_ERR_CANCELLED, "cancelled")
            } catch {
                completion(AGENT_ERR_INTERNAL, "\(error)")
            }
        })
        return true
    }

    func finishTurn(turnId: UInt64, status: agent_status, result: String) {
        channel(turnId)?.finish(status: status, result: result)
    }

    func turnLost(turnId: UInt64, reason: String) {
        channel(turnId)?.lose(reason: reason)
    }
}
