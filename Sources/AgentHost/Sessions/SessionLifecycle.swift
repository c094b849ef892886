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
///   that completes them starts the turn that continues the answer.
struct SessionLifecycle: Sendable {
    /// What the owner does after an event.
    enum Action: Sendable, Hashable {
        case none
        /// Start a turn that begins this way.
        case startTurn(TurnRunner.Origin)
        /// Stop the running turn (it ends with `abort`, then `turnEnded`).
        case stopTurn
    }

    /// What to persist with an input before acting on it.
    struct InputPlan: Sendable, Hashable {
        /// The session's new status, committed in the input's transaction.
        var status: SessionStatus?
        /// The input's turn starts as soon as it is durable: write the turn's
        /// opening records in the same commit.
        var answersNow: Bool
    }

    /// Why the session refuses an event.
    enum Refusal: Error, Sendable, Hashable {
        case closed
        /// This value left memory; a fresh one must be loaded from the log.
        case evicted
    }

    /// The kinds of input, as far as the session's life is concerned.
    enum InputKind: Sendable, Hashable {
        /// Asks for a turn: a message or an action.
        case turn
        case stop
        /// An answer to some of the tool calls waiting for a person: recorded,
        /// but the others still wait, so no turn starts and the status stays.
        case partialAnswer
    }

    /// Work that waits for the next turn slot.
    private struct Pending: Sendable, Hashable {
        /// A turn the log shows started and never completed: it goes first.
        var interrupted: TurnCheckpoint?
        /// Input seqs that asked for a turn, oldest first.
        var queue: [Int64] = []

        var isEmpty: Bool { interrupted == nil && queue.isEmpty }
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
    ///   - interrupted: A turn that started and never completed.
    init(status: SessionStatus, queued: [Int64] = [], interrupted: TurnCheckpoint? = nil) {
        self.status = status
        state = status == .closed ? .closed(endingTurn: nil) : .waiting(Pending(interrupted: interrupted, queue: queued))
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
        case .waiting(let pending), .running(_, let pending): pending.queue.count
        case .closed, .evicted: 0
        }
    }

    /// Throws when this value must not be used any more.
    func checkInMemory() throws(Refusal) {
        if state == .evicted { throw .evicted }
    }

    // MARK: Inputs

    /// An input is about to be persisted with seq `seq`. Claims the turn when an
    /// idle session answers it at once.
    mutating func receive(_ kind: InputKind, seq: Int64) throws(Refusal) -> InputPlan {
        switch state {
        case .evicted: throw .evicted
        case .closed: throw .closed
        case .waiting(let pending):
            guard kind == .turn else { return InputPlan(status: nil, answersNow: false) }
            let status = change(to: .running)
            guard pending.isEmpty else { return InputPlan(status: status, answersNow: false) }
            state = .running(inSeq: seq, pending)
            return InputPlan(status: status, answersNow: true)
        case .running:
            return InputPlan(status: kind == .turn ? change(to: .running) : nil, answersNow: false)
        }
    }

    /// The input `seq` is durable.
    mutating func inputPersisted(_ kind: InputKind, seq: Int64) -> Action {
        switch (state, kind) {
        case (.running(seq, _), .turn), (.closed(seq), .turn):
            // Claimed by `receive`: the turn starts now (a closed session's turn
            // is stopped already and only writes its ending).
            return .startTurn(.framedInput(inSeq: seq))
        case (.running, .stop):
            return .stopTurn
        case (.running(let inSeq, var pending), .turn):
            pending.queue.append(seq)
            state = .running(inSeq: inSeq, pending)
            return .none
        case (.waiting(var pending), .turn):
            pending.queue.append(seq)
            state = .waiting(pending)
            return startNext()
        case (.waiting, .stop), (_, .partialAnswer), (.closed, _), (.evicted, _):
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

    /// The turn is about to run: the status to commit, if it changes.
    mutating func turnWillRun() -> SessionStatus? {
        guard case .running = state else { return nil }
        return change(to: .running)
    }

    /// The running turn's `turn-complete` is durable.
    /// - Returns: The status to commit (nil: unchanged), and what to start next.
    mutating func turnEnded() -> (status: SessionStatus?, next: Action) {
        switch state {
        case .running(_, let pending):
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
        guard case .running(_, let pending) = state else { return turnEnded() }
        state = .waiting(pending)
        guard pending.isEmpty else { return (nil, startNext()) }
        return (change(to: .awaitingInput), .none)
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
        guard !pending.queue.isEmpty else { return .none }
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
