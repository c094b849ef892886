import AgentWire
import CAgentABI
import Synchronization

/// What a running turn's plugin side sends to the host, in order.
enum TurnEvent: Sendable {
    /// One UI chunk to persist and stream.
    case chunk(UIChunk)
    /// The step loop stopped at a step boundary so the turn can move to a new
    /// build; the plugin's turn is being cancelled and ends next.
    case yieldedAtStepBoundary
    /// The plugin's `finish_turn`.
    case finished(status: agent_status, result: String)
    /// The worker process that ran the turn died; nothing more comes from it.
    case lost(reason: String)
    /// The host took the turn from its plugin: nothing more from it counts.
    case cut(TurnCut)
    /// A tool's compact form for the model (`toModelOutput`), recorded privately
    /// before the call's output chunk so later turns give the model the same.
    case modelOutput(toolCallId: String, output: JSONValue)
    /// What a step did (`TurnTimeline.stepRecord`): recorded privately, in
    /// order with the chunks, right before the step's `finish-step`.
    case stepRecord(JSONValue)
    /// A control record the host writes in order with the chunks (a steered
    /// message entering the turn).
    case control(ControlPart)
    /// A tool call is about to run: recorded privately, in order with the
    /// chunks; `persisted` learns when the record is durable (false: it never
    /// will be, the turn is over), and the call runs only then.
    case toolCallStarted(toolCallId: String, persisted: CheckedContinuation<Bool, Never>)
}

/// Why the host took a turn from its plugin before the plugin finished it.
enum TurnCut: Sendable, Hashable {
    /// The turn ran past its time limit (`RunLimits`).
    case timedOut(limit: Duration)
    /// The build it runs on was replaced and its drain deadline passed.
    case drainDeadline
    /// The turn streamed `RunLimits.maxTurnOutputChunks` chunks.
    case outputLimit
}

/// The host end of one turn: chunks from the plugin and from the step loop go
/// through one ordered buffer, drained by the turn runner, which persists them
/// before any client sees them. The runner takes everything buffered at once,
/// so a fast producer gets one commit per batch instead of one per chunk.
final class TurnChannel: Sendable {
    let turnId: UInt64
    /// Serves `call_service` for this turn: service name and request JSON in, reply JSON out.
    let serve: ServiceHandler

    typealias ServiceHandler = @Sendable (_ channel: TurnChannel, _ service: String, _ request: String) async throws -> String

    private struct Buffer {
        var events: [TurnEvent] = []
        var finished = false
        var waiter: CheckedContinuation<[TurnEvent], Never>?
    }

    private let buffer = Mutex(Buffer())
    private let serviceTasks = Mutex<[Task<Void, Never>]>([])
    /// Tool calls of this turn that are running: the ones a plugin may write
    /// preliminary outputs for (a call id may run twice at once only by mistake: counted).
    private let runningToolCalls = Mutex<[String: Int]>([:])
    /// Set when the turn ends for good (a stop, a closed session, its time
    /// limit): its sub-agent calls then stop their children too. A move to a
    /// new build or a lost worker leaves them running: the turn goes on and
    /// finds them again.
    private let endsForGood = Atomic<Bool>(false)

    init(turnId: UInt64, serve: @escaping ServiceHandler) {
        self.turnId = turnId
        self.serve = serve
    }

    func send(_ chunk: UIChunk) {
        deliver(.chunk(chunk), closing: false)
    }

    /// Records the compact form the model got for a call, in order with the chunks.
    func recordModelOutput(toolCallId: String, _ output: JSONValue) {
        deliver(.modelOutput(toolCallId: toolCallId, output: output), closing: false)
    }

    /// Records what a step did, in order with the chunks (the turn timeline's record).
    func recordStep(_ record: JSONValue) {
        deliver(.stepRecord(record), closing: false)
    }

    /// Records a control part in order with the chunks.
    func sendControl(_ part: ControlPart) {
        deliver(.control(part), closing: false)
    }

    /// Records that a tool call starts and returns once that record is
    /// durable: after a crash, the log then tells a call that may have run (a
    /// start without an output) from one that never did. False when the turn
    /// is over and the record was not written: the call must not run.
    func commitToolCallStart(_ toolCallId: String) async -> Bool {
        await withCheckedContinuation { persisted in
            if !deliver(.toolCallStarted(toolCallId: toolCallId, persisted: persisted), closing: false) {
                persisted.resume(returning: false)
            }
        }
    }

    /// A tool call started: until it ends its plugin may stream preliminary outputs for it.
    func toolCallBegan(_ toolCallId: String) {
        runningToolCalls.withLock { $0[toolCallId, default: 0] += 1 }
    }

    /// The call ended (or was given up): its final output comes from the host alone.
    func toolCallEnded(_ toolCallId: String) {
        runningToolCalls.withLock { calls in
            let count = (calls[toolCallId] ?? 1) - 1
            calls[toolCallId] = count > 0 ? count : nil
        }
    }

    /// True while `toolCallId` is a running call of this turn.
    func isRunningToolCall(_ toolCallId: String) -> Bool {
        runningToolCalls.withLock { $0[toolCallId] != nil }
    }

    /// The step loop ended at a boundary for a move to a new build: an event in
    /// order with the chunks, so the runner knows the cancellation that follows
    /// is a move, not a stop.
    func yieldAtStepBoundary() {
        deliver(.yieldedAtStepBoundary, closing: false)
    }

    /// The plugin's `finish_turn`; anything sent after it is dropped.
    func finish(status: agent_status, result: String) {
        deliver(.finished(status: status, result: result), closing: true)
    }

    /// The worker running the turn died: the turn ends here and resumes from its checkpoint.
    func lose(reason: String) {
        deliver(.lost(reason: reason), closing: true)
        // Its model call has no one left to answer to; the resumed turn makes its own.
        cancelServices()
    }

    /// The host ends the plugin's side of the turn (a time limit, a drain
    /// deadline): what was sent before counts, nothing after it; its model call stops.
    func cut(_ reason: TurnCut) {
        if reason != .drainDeadline { markEndingForGood() }
        deliver(.cut(reason), closing: true)
        cancelServices()
    }

    /// Buffers `event`; false when the channel had finished and dropped it.
    @discardableResult
    private func deliver(_ event: TurnEvent, closing: Bool) -> Bool {
        let (accepted, waiter, batch) = buffer.withLock { state -> (Bool, CheckedContinuation<[TurnEvent], Never>?, [TurnEvent]) in
            guard !state.finished else { return (false, nil, []) }
            state.finished = closing
            state.events.append(event)
            guard let waiter = state.waiter else { return (true, nil, []) }
            state.waiter = nil
            defer { state.events.removeAll(keepingCapacity: true) }
            return (true, waiter, state.events)
        }
        waiter?.resume(returning: batch)
        return accepted
    }

    /// The runner stopped reading (it ended, or storage failed): nothing more
    /// is taken, and calls waiting for their start to be recorded learn it
    /// never will be.
    func closeForRunner() {
        let left = buffer.withLock { state -> [TurnEvent] in
            state.finished = true
            defer { state.events.removeAll() }
            return state.events
        }
        for case .toolCallStarted(_, let persisted) in left { persisted.resume(returning: false) }
    }

    /// Everything buffered, waiting if nothing is. Returns `[]` once the turn has
    /// finished and everything was taken.
    func nextBatch() async -> [TurnEvent] {
        await withCheckedContinuation { continuation in
            let ready = buffer.withLock { state -> [TurnEvent]? in
                if !state.events.isEmpty || state.finished {
                    defer { state.events.removeAll(keepingCapacity: true) }
                    return state.events
                }
                precondition(state.waiter == nil, "one consumer per turn channel")
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// The turn is being stopped, not moved: see `endsForGood`.
    func markEndingForGood() {
        endsForGood.store(true, ordering: .releasing)
    }

    /// True once the turn is being stopped for good.
    var isEndingForGood: Bool { endsForGood.load(ordering: .acquiring) }

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
}

