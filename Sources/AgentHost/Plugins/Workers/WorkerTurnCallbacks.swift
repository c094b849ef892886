import AgentWire
import CAgentABI
import Synchronization

/// Inside a worker process: what the plugin's calls into the host do. Each
/// becomes a frame to the daemon, which routes it to the turn exactly as it
/// routes an in-process plugin's calls.
final class WorkerTurnCallbacks: PluginTurnCallbacks {
    private let connection: WorkerConnection
    /// Turns started and not finished: `emit` and `call_service` for any other id
    /// are refused here already, as the host would refuse them.
    private let liveTurns = Mutex<Set<UInt64>>([])
    /// Service calls waiting for the daemon's `serviceDone`, by call id.
    private let pendingServices = Mutex<[UInt64: @Sendable (agent_status, String) -> Void]>([:])
    private let nextCallId = Atomic<UInt64>(1)

    init(connection: WorkerConnection) {
        self.connection = connection
    }

    /// The turn is about to start: from now on the plugin may write into it.
    /// False when it was live already.
    @discardableResult
    func begin(turnId: UInt64) -> Bool {
        liveTurns.withLock { $0.insert(turnId).inserted }
    }

    /// The turn did not start, or finished.
    func end(turnId: UInt64) {
        _ = liveTurns.withLock { $0.remove(turnId) }
    }

    private func isLive(_ turnId: UInt64) -> Bool {
        liveTurns.withLock { $0.contains(turnId) }
    }

    func emit(turnId: UInt64, chunk: UIChunk) -> Bool {
        guard isLive(turnId) else { return false }
        return connection.send(WorkerFrame(.emit, turnId: turnId, text: chunk.json.jsonText))
    }

    func callService(
        turnId: UInt64, service: String, request: String,
        completion: @escaping @Sendable (agent_status, String) -> Void
    ) -> Bool {
        guard isLive(turnId) else { return false }
        let callId = nextCallId.wrappingAdd(1, ordering: .relaxed).oldValue
        pendingServices.withLock { $0[callId] = completion }
        let frame = WorkerFrame(
            .callService, turnId: turnId, callId: callId, payload: WorkerFrame.serviceCall(service: service, request: request)
        )
        guard connection.send(frame) else {
            _ = pendingServices.withLock { $0.removeValue(forKey: callId) }
            return false
        }
        return true
    }

    /// The daemon answered service call `callId`.
    func serviceDone(callId: UInt64, status: agent_status, result: String) {
        let completion = pendingServices.withLock { $0.removeValue(forKey: callId) }
        completion?(status, result)
    }

    func finishTurn(turnId: UInt64, status: agent_status, result: String) {
        // Only the first `finish_turn` of a turn goes out; the host would drop the rest anyway.
        guard liveTurns.withLock({ $0.remove(turnId) }) != nil else { return }
        connection.send(WorkerFrame(.finishTurn, status: status.rawValue, turnId: turnId, text: result))
    }
}
