import AgentWire
import CAgentABI
import Synchronization

/// What a running turn's plugin side sends to the host, in order.
enum TurnEvent: Sendable {
    /// One UI chunk to persist and stream.
    case chunk(JSONValue)
    /// The plugin's `finish_turn`.
    case finished(status: agent_status, result: String)
}

/// The host end of one turn: chunks from the plugin and the step loop go through
/// one ordered stream, consumed by the turn runner, which persists each before
/// any client sees it.
final class TurnChannel: Sendable {
    let turnId: UInt64
    let events: AsyncStream<TurnEvent>
    private let continuation: AsyncStream<TurnEvent>.Continuation
    /// Serves `call_service` for this turn: service name and request JSON in, reply JSON out.
    let serve: ServiceHandler

    typealias ServiceHandler = @Sendable (_ channel: TurnChannel, _ service: String, _ request: String) async throws -> String

    init(turnId: UInt64, serve: @escaping ServiceHandler) {
        self.turnId = turnId
        (events, continuation) = AsyncStream.makeStream(of: TurnEvent.self)
        self.serve = serve
    }

    private let serviceTasks = Mutex<[Task<Void, Never>]>([])

    /// Keeps a running service call so `cancelServices` can stop it.
    func track(_ task: Task<Void, Never>) {
        serviceTasks.withLock { tasks in
            tasks.removeAll { $0.isCancelled }
            tasks.append(task)
        }
    }

    func cancelServices() {
        for task in serviceTasks.withLock({ $0 }) { task.cancel() }
    }

    func send(_ chunk: JSONValue) {
        continuation.yield(.chunk(chunk))
    }

    func finish(status: agent_status, result: String) {
        continuation.yield(.finished(status: status, result: result))
        continuation.finish()
    }
}

/// Live turns by id. Plugins name turns by id, so a late callback for a turn
/// that is over is a lookup miss, not a use-after-free.
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
