import AgentWire

/// The life of one session as a value: which turn runs, what waits behind it,
/// and the status the session table shows (idle → running → awaiting-input →
/// closed). No I/O, no clock, no tasks: each event is a `mutating func` that
/// returns what the owner must do, and the `Session` actor carries it out —
/// swift-nio's state-machine style (`NIOTypedHTTPServerUpgraderStateMachine`).
///
/// Rules it keeps:
/// - one turn at a time; inputs that ask for a turn while one runs queue up and
///   are answered in order, each once;
/// - a turn cut off by a crash is resumed before any queued input;
/// - an idle session answers an input at once, and that turn's opening records
///   share the input's commit;
/// - a closed session takes no input and starts no turn; a turn running when it
///   closed is stopped and still ends (its log gets `abort` and `turn-complete`);
/// - only a session with nothing running or waiting can leave memory;
/// - a turn that ends with tool calls waiting for a person leaves the session
///   `awaiting-input`; an answer to only some of them starts nothing, the one
///   that completes them starts the turn that continues the answer;
/// - a message that arrives while the session is busy (a turn runs or inputs
///   wait) follows its `MessageConcurrency`: `queue` waits its turn; `steer`
///   waits for the running turn's next step boundary (`takeSteering`) and, if
///   the turn reaches none, is the next turn; `latest` and `debounce` take over
///   the inputs that wait (they get no turn), `merge` takes them into its own
///   turn; `drop` is refused; a `debounce` input's turn starts only after a
///   quiet window in which nothing else arrived;
/// - at most `queueLimit` inputs wait (`queue`, `steer`); one more is refused;
///   `clear-queue` takes every waiting input away (they get no turn).
struct SessionLifecycle: Sendable {
    /// What the owner does after an event.
    enum Action: Sendable, Hashable {
        case none
        /// Start a turn that begins this way.
        case startTurn(TurnRunner.Origin)
        /// Stop the running turn (it ends with `abort`, then `turnEnded`).
        case stopTurn
        /// Start input `inSeq`'s turn once `milliseconds` pass: call
        /// `quietWindowElapsed(inSeq:)` then (a newer input may have taken it over).
        case startAfterQuiet(inSeq: Int64, milliseconds: Int)
    }

    /// What to persist with an input before acting on it.
    struct InputPlan: Sendable, Hashable {
        /// The session's new status, committed in the input's transaction.
        var status: SessionStatus?
        /// The input's turn starts as soon as it is durable: write the turn's
        /// opening records in the same commit.
        var answersNow: Bool
        /// The waiting inputs this one takes over (`latest`, `debounce`, `merge`):
        /// written into the input so the log, not memory, says they got no turn.
        var absorbs: [Int64] = []
        /// The mode applied because the session was busy; nil: it was not.
        var mode: MessageConcurrency?
    }

    /// Why the session refuses an event.
    enum Refusal: Error, Sendable, Hashable {
        case closed
        /// This value left memory; a fresh one must be loaded from the log.
        case evicted
        /// The agent is busy and the message's mode is `drop`.
        case busy
        /// As many inputs as the session takes wait already.
        case queueFull(limit: Int)
    }

    /// The kinds of input, as far as the session's life is concerned.
    enum InputKind: Sendable, Hashable {
        /// Asks for a turn: a message or an action.
        case turn
        case stop
        /// An answer to some of the tool calls waiting for a person: recorded,
        /// but the others still wait, so no turn starts and the status stays.
        case partialAnswer
        /// Takes every waiting input away (`clear-queue`).
        case clearQueue
    }

    /// Work that waits for the next turn slot.
    private struct Pending: Sendable, Hashable {
        /// A turn the log shows started and never completed: it goes first.
        var interrupted: TurnCheckpoint?
        /// Input seqs that asked for a turn, oldest first.
        var queue: [Int64] = []
        /// Steered inputs waiting for the running turn's next step boundary, oldest first.
        var steering: [Int64] = []
        /// Queued `debounce` inputs and the quiet window their turn waits for.
        var quietWindows: [Int64: Int] = [:]

        var isEmpty: Bool { interrupted == nil && queue.isEmpty && steering.isEmpty }

        /// Queues a turn input; a `debounce` one waits for its quiet window first.
        mutating func enqueue(_ seq: Int64, mode: MessageConcurrency?) {
            queue.append(seq)
            if case .debounce(let milliseconds)? = mode { quietWindows[seq] = milliseconds }
        }

        /// Steered inputs no boundary took: they wait for a turn of their own, in arrival order.
        mutating func unsteer() {
            guard !steering.isEmpty else { return }
            queue = (queue + steering).sorted()
            steering = []
        }
    }

    private enum State: Sendable, Hashable {
        /// No turn runs; `Pending` waits (non-empty only until `resume()` after a reload).
        case waiting(Pending)
        /// A turn answers input `inSeq`; `Pending` waits behind it.
        case running(inSeq: Int64, Pending)
        /// Takes nothing more. `endingTurn`: the turn that ran when it closed, still ending.
        case closed(endingTurn: Int64?)
        /// Left memory; nothing may use this value any more.
        case evicted
    }

    private var state: State
    /// The status as the session table shows it.
    private(set) var status: SessionStatus

    /// A session as its log and row tell it.
    /// - Parameters:
    ///   - status: The persisted status.
    ///   - queued: Seqs of inputs that asked for a turn that never started.
    ///   - steering: Those of them that were steered and never injected: the
    ///     interrupted turn, when there is one, may still take them at a boundary.
    ///   - interrupted: A turn that started and never completed.
    init(status: SessionStatus, queued: [Int64] = [], steering: Set<Int64> = [], interrupted: TurnCheckpoint? = nil) {
        self.status = status
        var pending = Pending(interrupted: interrupted, queue: queued)
        if interrupted != nil {
            pending.queue = queued.filter { !steering.contains($0) }
            pending.steering = queued.filter { steering.contains($0) }
        }
        state = status == .closed ? .closed(endingTurn: nil) : .waiting(pending)
    }

    // MARK: Queries

    /// The input seq the running turn answers.
    var runningInSeq: Int64? {
        switch state {
        case .running(let inSeq, _): inSeq
        case .closed(let endingTurn): endingTurn
        case .waiting, .evicted: nil
        }
    }

    /// The turn a client resuming "the current answer" wants: the running one,
    /// else the next to run; nil when the session has nothing to answer.
    var activeTurnInSeq: Int64? {
        switch state {
        case .running(let inSeq, _): inSeq
        case .waiting(let pending): pending.interrupted?.inSeq ?? pending.queue.first
        case .closed(let endingTurn): endingTurn
        case .evicted: nil
        }
    }

    var queuedInputs: Int {
        switch state {
        case .waiting(let pending), .running(_, let pending): pending.queue.count + pending.steering.count
        case .closed, .evicted: 0
        }
    }

    /// Throws when this value must not be used any more.
    func checkInMemory() throws(Refusal) {
        if state == .evicted { throw .evicted }
    }

    // MARK: Inputs

    /// An input is about to be persisted with seq `seq`. Claims the turn when an
    /// idle session answers it at once; a busy one applies `mode`.
    /// - Parameters:
    ///   - mode: What the input does if the session is busy.
    ///   - queueLimit: How many inputs may wait; one that would wait past it is refused.
    mutating func receive(
        _ kind: InputKind, seq: Int64, mode: MessageConcurrency = .queue, queueLimit: Int = .max
    ) throws(Refusal) -> InputPlan {
        switch state {
        case .evicted: throw .evicted
        case .closed: throw .closed
        case .waiting where kind == .clearQueue, .running where kind == .clearQueue:
            return clearQueue()
        case .waiting(let pending):
            guard kind == .turn else { return InputPlan(status: nil, answersNow: false) }
            if !pending.isEmpty, mode == .drop { throw .busy }
            if !pending.isEmpty { try checkRoom(mode: mode, limit: queueLimit) }
            let status = change(to: .running)
            guard pending.isEmpty else { return busyPlan(status: status, mode: mode) }
            state = .running(inSeq: seq, pending)
            return InputPlan(status: status, answersNow: true)
        case .running:
            guard kind == .turn else { return InputPlan(status: nil, answersNow: false) }
            if mode == .drop { throw .busy }
            try checkRoom(mode: mode, limit: queueLimit)
            return busyPlan(status: change(to: .running), mode: mode)
        }
    }

    /// A busy session's input that would wait (`queue`, `steer`) needs room;
    /// one that takes the waiting inputs over (`latest`, `debounce`, `merge`) does not add to them.
    private func checkRoom(mode: MessageConcurrency, limit: Int) throws(Refusal) {
        switch mode {
        case .queue, .steer:
            if queuedInputs >= limit { throw .queueFull(limit: limit) }
        case .latest, .merge, .debounce, .drop:
            break
        }
    }

    /// `clear-queue`: every waiting input, steered ones too, gets no turn (the
    /// plan's `absorbs` writes them down); the running turn goes on, and a
    /// session left with nothing to do is idle.
    private mutating func clearQueue() -> InputPlan {
        var cleared = takeQueue()
        switch state {
        case .waiting(var pending):
            cleared += pending.steering
            pending.steering = []
            state = .waiting(pending)
            let status = pending.isEmpty && status == .running ? change(to: .idle) : nil
            return InputPlan(status: status, answersNow: false, absorbs: cleared.sorted())
        case .running(let inSeq, var pending):
            cleared += pending.steering
            pending.steering = []
            state = .running(inSeq: inSeq, pending)
            return InputPlan(status: nil, answersNow: false, absorbs: cleared.sorted())
        case .closed, .evicted:
            return InputPlan(status: nil, answersNow: false)
        }
    }

    /// A turn input that arrives while the session is busy: `latest`, `debounce`
    /// and `merge` take over the inputs waiting for a turn (steered ones stay:
    /// they belong to the running turn).
    private mutating func busyPlan(status: SessionStatus?, mode: MessageConcurrency) -> InputPlan {
        // `queue` is what a busy session always did: nothing to write down.
        var plan = InputPlan(status: status, answersNow: false, mode: mode == .queue ? nil : mode)
        switch mode {
        case .latest, .merge, .debounce:
            plan.absorbs = takeQueue()
        case .queue, .steer, .drop:
            break
        }
        return plan
    }

    /// Empties the queue of inputs waiting for a turn; returns them.
    private mutating func takeQueue() -> [Int64] {
        switch state {
        case .waiting(var pending):
            defer { state = .waiting(pending) }
            defer { pending.queue = []; pending.quietWindows = [:] }
            return pending.queue
        case .running(let inSeq, var pending):
            defer { state = .running(inSeq: inSeq, pending) }
            defer { pending.queue = []; pending.quietWindows = [:] }
            return pending.queue
        case .closed, .evicted:
            return []
        }
    }

    /// The input `seq` is durable.
    /// - Parameters:
    ///   - mode: The mode `receive` applied (`InputPlan.mode`); nil: the session was not busy.
    mutating func inputPersisted(_ kind: InputKind, seq: Int64, mode: MessageConcurrency? = nil) -> Action {
        switch (state, kind) {
        case (.running(seq, _), .turn), (.closed(seq), .turn):
            // Claimed by `receive`: the turn starts now (a closed session's turn
            // is stopped already and only writes its ending).
            return .startTurn(.framedInput(inSeq: seq))
        case (.running, .stop):
            return .stopTurn
        case (.running(let inSeq, var pending), .turn):
            if mode == .steer {
                pending.steering.append(seq)
            } else {
                pending.enqueue(seq, mode: mode)
            }
            state = .running(inSeq: inSeq, pending)
            return .none
        case (.waiting(var pending), .turn):
            pending.enqueue(seq, mode: mode)
            state = .waiting(pending)
            return startNext()
        case (.waiting, .stop), (_, .partialAnswer), (_, .clearQueue), (.closed, _), (.evicted, _):
            return .none
        }
    }

    /// The input `seq` could not be persisted: a turn it claimed is released.
    mutating func inputFailed(seq: Int64) -> Action {
        switch state {
        case .running(seq, let pending):
            state = .waiting(pending)
            return startNext()
        case .closed(seq):
            state = .closed(endingTurn: nil)
            return .none
        default:
            return .none
        }
    }

    // MARK: Turns

    /// Starts what waits, when nothing runs: after a reload, or to retry.
    mutating func resume() -> Action {
        guard case .waiting = state else { return .none }
        return startNext()
    }

    /// The running turn reached a step boundary: the steered inputs it takes
    /// into its conversation there, oldest first. The turn must record them in
    /// its log before anything the model answers to them.
    mutating func takeSteering() -> [Int64] {
        guard case .running(let inSeq, var pending) = state, !pending.steering.isEmpty else { return [] }
        defer { state = .running(inSeq: inSeq, pending) }
        defer { pending.steering = [] }
        return pending.steering
    }

    /// A debounce input's quiet window passed: its turn starts, unless a newer
    /// input took it over meanwhile or something else runs.
    mutating func quietWindowElapsed(inSeq: Int64) -> Action {
        guard case .waiting(var pending) = state, pending.interrupted == nil, pending.queue.first == inSeq else { return .none }
        pending.quietWindows[inSeq] = nil
        state = .waiting(pending)
        return startNext()
    }

    /// The turn is about to run: the status to commit, if it changes.
    mutating func turnWillRun() -> SessionStatus? {
        guard case .running = state else { return nil }
        return change(to: .running)
    }

    /// The running turn's `turn-complete` is durable.
    /// - Returns: The status to commit (nil: unchanged), and what to start next.
    mutating func turnEnded() -> (status: SessionStatus?, next: Action) {
        switch state {
        case .running(_, var pending):
            pending.unsteer()
            state = .waiting(pending)
            let status = pending.isEmpty && self.status == .running ? change(to: .idle) : nil
            return (status, startNext())
        case .closed:
            state = .closed(endingTurn: nil)
            return (nil, .none)
        case .waiting, .evicted:
            return (nil, .none)
        }
    }

    /// The running turn ended waiting for a person (a tool approval, a
    /// client-side tool): the session shows `awaiting-input` until the answer
    /// arrives as an input, which starts the next turn like any other.
    mutating func turnEndedAwaitingInput() -> (status: SessionStatus?, next: Action) {
        guard case .running(_, var pending) = state else { return turnEnded() }
        pending.unsteer()
        state = .waiting(pending)
        guard pending.isEmpty else { return (nil, startNext()) }
        return (change(to: .awaitingInput), .none)
    }

    /// The running turn stopped because its records could not be committed
    /// (storage failed): it has no `turn-complete`, and waits — as a turn cut
    /// off by a crash does — for `resume()`, ahead of every queued input: from
    /// `checkpoint` when its log shows it started, else from its input again.
    /// Nothing starts now; the status stays (a restart resumes it too).
    mutating func turnCutOff(checkpoint: TurnCheckpoint?) {
        switch state {
        case .running(let inSeq, var pending):
            if let checkpoint {
                pending.interrupted = checkpoint
            } else {
                pending.queue.insert(inSeq, at: 0)
            }
            state = .waiting(pending)
        case .closed:
            state = .closed(endingTurn: nil)
        case .waiting, .evicted:
            break
        }
    }

    // MARK: Lifecycle

    /// Closes the session for good.
    /// - Returns: Whether anything changed, and whether a running turn must be stopped.
    mutating func close() throws(Refusal) -> (closed: Bool, stopTurn: Bool) {
        switch state {
        case .evicted: throw .evicted
        case .closed: return (false, false)
        case .waiting:
            state = .closed(endingTurn: nil)
        case .running(let inSeq, _):
            state = .closed(endingTurn: inSeq)
        }
        _ = change(to: .closed)
        return (true, runningInSeq != nil)
    }

    /// Leaves memory when nothing needs it there: no turn running or waiting,
    /// and the owner says no reader is attached and it has been idle long enough.
    mutating func evictIfIdle(hasReaders: Bool, idleLongEnough: Bool) -> Bool {
        guard !hasReaders, idleLongEnough else { return false }
        switch state {
        case .waiting(let pending) where pending.isEmpty:
            state = .evicted
            return true
        case .closed(endingTurn: nil):
            state = .evicted
            return true
        default:
            return false
        }
    }

    // MARK: Private

    private mutating func startNext() -> Action {
        guard case .waiting(var pending) = state else { return .none }
        if let checkpoint = pending.interrupted {
            pending.interrupted = nil
            state = .running(inSeq: checkpoint.inSeq, pending)
            return .startTurn(.interrupted(checkpoint))
        }
        guard let head = pending.queue.first else { return .none }
        if let window = pending.quietWindows[head] {
            // Not yet: the owner waits for the window, then asks again.
            return .startAfterQuiet(inSeq: head, milliseconds: window)
        }
        let next = pending.queue.removeFirst()
        state = .running(inSeq: next, pending)
        return .startTurn(.input(inSeq: next))
    }

    /// Sets the status; returns it when it changed (something to commit).
    private mutating func change(to newStatus: SessionStatus) -> SessionStatus? {
        guard status != newStatus else { return nil }
        status = newStatus
        return newStatus
    }
}
