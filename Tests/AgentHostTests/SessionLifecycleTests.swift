@testable import AgentHost
import Testing

/// The session's life as a value, every transition without a daemon: what an
/// event does, what it tells the owner to do, and what it refuses.
@Suite struct SessionLifecycleTests {
    private typealias Lifecycle = SessionLifecycle

    private func checkpoint(_ inSeq: Int64) -> TurnCheckpoint {
        var checkpoint = TurnCheckpoint(inSeq: inSeq)
        checkpoint.started = true
        return checkpoint
    }

    /// An idle session with one turn running for input 1.
    private func running() throws -> Lifecycle {
        var lifecycle = Lifecycle(status: .idle)
        _ = try lifecycle.receive(.turn, seq: 1)
        _ = lifecycle.inputPersisted(.turn, seq: 1)
        return lifecycle
    }

    @Test func anIdleSessionAnswersAnInputAtOnceInTheInputsCommit() throws {
        var lifecycle = Lifecycle(status: .idle)
        #expect(try lifecycle.receive(.turn, seq: 1) == .init(status: .running, answersNow: true))
        #expect(lifecycle.status == .running)
        #expect(lifecycle.runningInSeq == 1)
        #expect(lifecycle.inputPersisted(.turn, seq: 1) == .startTurn(.framedInput(inSeq: 1)))
        #expect(lifecycle.activeTurnInSeq == 1)
    }

    @Test func inputsWhileATurnRunsQueueAndAreAnsweredInOrderEachOnce() throws {
        var lifecycle = try running()
        #expect(try lifecycle.receive(.turn, seq: 5) == .init(status: nil, answersNow: false))
        #expect(lifecycle.inputPersisted(.turn, seq: 5) == .none)
        #expect(try lifecycle.receive(.turn, seq: 9) == .init(status: nil, answersNow: false))
        #expect(lifecycle.inputPersisted(.turn, seq: 9) == .none)
        #expect(lifecycle.queuedInputs == 2)
        #expect(lifecycle.activeTurnInSeq == 1)

        #expect(lifecycle.turnEnded() == (nil, .startTurn(.input(inSeq: 5))))
        #expect(lifecycle.runningInSeq == 5)
        #expect(lifecycle.turnEnded() == (nil, .startTurn(.input(inSeq: 9))))
        let last = lifecycle.turnEnded()
        #expect(last.status == .idle)
        #expect(last.next == .none)
        #expect(lifecycle.status == .idle)
        #expect(lifecycle.runningInSeq == nil)
        #expect(lifecycle.activeTurnInSeq == nil)
    }

    @Test func aStopStopsTheRunningTurnAndIsOnlyRecordedOtherwise() throws {
        var lifecycle = try running()
        #expect(try lifecycle.receive(.stop, seq: 2) == .init(status: nil, answersNow: false))
        #expect(lifecycle.inputPersisted(.stop, seq: 2) == .stopTurn)
        _ = lifecycle.turnEnded()

        #expect(try lifecycle.receive(.stop, seq: 3) == .init(status: nil, answersNow: false))
        #expect(lifecycle.inputPersisted(.stop, seq: 3) == .none)
        #expect(lifecycle.status == .idle)
    }

    @Test func aReloadedSessionResumesItsInterruptedTurnBeforeItsQueue() throws {
        var lifecycle = Lifecycle(status: .running, queued: [7], interrupted: checkpoint(4))
        #expect(lifecycle.activeTurnInSeq == 4)
        #expect(lifecycle.queuedInputs == 1)
        // An input arriving before the resume does not jump the queue.
        #expect(try lifecycle.receive(.turn, seq: 8) == .init(status: nil, answersNow: false))
        #expect(lifecycle.inputPersisted(.turn, seq: 8) == .startTurn(.interrupted(checkpoint(4))))
        #expect(lifecycle.resume() == .none)
        #expect(lifecycle.turnWillRun() == nil)
        #expect(lifecycle.turnEnded() == (nil, .startTurn(.input(inSeq: 7))))
        #expect(lifecycle.turnEnded() == (nil, .startTurn(.input(inSeq: 8))))
        #expect(lifecycle.turnEnded() == (.idle, .none))
    }

    @Test func resumeStartsWhatWaitsAndNothingElse() {
        var empty = Lifecycle(status: .idle)
        #expect(empty.resume() == .none)
        var queued = Lifecycle(status: .running, queued: [3, 6])
        #expect(queued.resume() == .startTurn(.input(inSeq: 3)))
        #expect(queued.resume() == .none)
        #expect(queued.queuedInputs == 1)
    }

    @Test func anInputThatFailedToPersistReleasesItsTurn() throws {
        var lifecycle = Lifecycle(status: .idle)
        #expect(try lifecycle.receive(.turn, seq: 1).answersNow)
        #expect(lifecycle.inputFailed(seq: 1) == .none)
        #expect(lifecycle.runningInSeq == nil)
        // The next input is answered at once again.
        #expect(try lifecycle.receive(.turn, seq: 2).answersNow)

        // A queued input that failed changes nothing for the running turn.
        var busy = try running()
        _ = try busy.receive(.turn, seq: 2)
        #expect(busy.inputFailed(seq: 2) == .none)
        #expect(busy.runningInSeq == 1)
        #expect(busy.queuedInputs == 0)
    }

    @Test func aFailedClaimHandsTheSlotToWhatWaits() throws {
        var lifecycle = Lifecycle(status: .idle)
        _ = try lifecycle.receive(.turn, seq: 1)
        // While the claimed input was being written, another one queued behind it.
        _ = try lifecycle.receive(.turn, seq: 2)
        #expect(lifecycle.inputPersisted(.turn, seq: 2) == .none)
        #expect(lifecycle.inputFailed(seq: 1) == .startTurn(.input(inSeq: 2)))
    }

    @Test func closingAnIdleSessionRefusesEverythingAfter() throws {
        var lifecycle = Lifecycle(status: .idle)
        #expect(try lifecycle.close() == (closed: true, stopTurn: false))
        #expect(lifecycle.status == .closed)
        let refused1 = refusal { () throws(Lifecycle.Refusal) in try lifecycle.receive(.turn, seq: 1) }
        #expect(refused1 == .closed)
        let refused2 = refusal { () throws(Lifecycle.Refusal) in try lifecycle.receive(.stop, seq: 1) }
        #expect(refused2 == .closed)
        #expect(try lifecycle.close() == (closed: false, stopTurn: false))
        #expect(lifecycle.resume() == .none)
        #expect(lifecycle.turnWillRun() == nil)
        #expect(Lifecycle(status: .closed).status == .closed)
        var loaded = Lifecycle(status: .closed, queued: [2])
        let refused3 = refusal { () throws(Lifecycle.Refusal) in try loaded.receive(.turn, seq: 3) }
        #expect(refused3 == .closed)
        #expect(loaded.resume() == .none)
    }

    @Test func closingARunningSessionStopsItsTurnDropsTheQueueAndLetsTheTurnEnd() throws {
        var lifecycle = try running()
        _ = try lifecycle.receive(.turn, seq: 2)
        _ = lifecycle.inputPersisted(.turn, seq: 2)
        #expect(try lifecycle.close() == (closed: true, stopTurn: true))
        #expect(lifecycle.queuedInputs == 0)
        #expect(lifecycle.runningInSeq == 1)
        // The stopped turn still runs to its end; the closed session starts nothing after it.
        #expect(lifecycle.turnWillRun() == nil)
        #expect(lifecycle.status == .closed)
        #expect(lifecycle.turnEnded() == (nil, .none))
        #expect(lifecycle.runningInSeq == nil)
        #expect(lifecycle.status == .closed)
    }

    @Test func aTurnClaimedJustBeforeTheSessionClosedStillWritesItsEnding() throws {
        var lifecycle = Lifecycle(status: .idle)
        #expect(try lifecycle.receive(.turn, seq: 1).answersNow)
        #expect(try lifecycle.close() == (closed: true, stopTurn: true))
        // The input and the turn's opening records are in the log: the (stopped)
        // turn starts so that its log gets `abort` and `turn-complete`.
        #expect(lifecycle.inputPersisted(.turn, seq: 1) == .startTurn(.framedInput(inSeq: 1)))
        #expect(lifecycle.turnEnded() == (nil, .none))
    }

    @Test func aTurnThatWaitsForAPersonLeavesTheSessionAwaitingInput() throws {
        var lifecycle = try running()
        #expect(lifecycle.turnEndedAwaitingInput() == (.awaitingInput, .none))
        #expect(lifecycle.status == .awaitingInput)
        #expect(lifecycle.runningInSeq == nil)
        // The answer is an input like any other: it is answered at once.
        #expect(try lifecycle.receive(.turn, seq: 3) == .init(status: .running, answersNow: true))
        #expect(lifecycle.inputPersisted(.turn, seq: 3) == .startTurn(.framedInput(inSeq: 3)))
        #expect(lifecycle.turnEnded() == (.idle, .none))
    }

    @Test func anAnswerThatLeavesCallsWaitingStartsNothingTheLastOneContinues() throws {
        var lifecycle = try running()
        #expect(lifecycle.turnEndedAwaitingInput() == (.awaitingInput, .none))
        // One of two calls answered: recorded, the session still waits.
        #expect(try lifecycle.receive(.partialAnswer, seq: 3) == .init(status: nil, answersNow: false))
        #expect(lifecycle.inputPersisted(.partialAnswer, seq: 3) == .none)
        #expect(lifecycle.status == .awaitingInput)
        #expect(lifecycle.activeTurnInSeq == nil)
        #expect(lifecycle.queuedInputs == 0)
        // The answer that completes them continues the turn at once.
        #expect(try lifecycle.receive(.turn, seq: 4) == .init(status: .running, answersNow: true))
        #expect(lifecycle.inputPersisted(.turn, seq: 4) == .startTurn(.framedInput(inSeq: 4)))
        // A partial answer while a turn runs (a late duplicate) is not queued either.
        #expect(try lifecycle.receive(.partialAnswer, seq: 5) == .init(status: nil, answersNow: false))
        #expect(lifecycle.inputPersisted(.partialAnswer, seq: 5) == .none)
        #expect(lifecycle.queuedInputs == 0)
        #expect(lifecycle.turnEnded() == (.idle, .none))
    }

    @Test func aTurnWaitingForAPersonDoesNotHoldUpQueuedInputs() throws {
        var lifecycle = try running()
        _ = try lifecycle.receive(.turn, seq: 2)
        _ = lifecycle.inputPersisted(.turn, seq: 2)
        #expect(lifecycle.turnEndedAwaitingInput() == (nil, .startTurn(.input(inSeq: 2))))
        #expect(lifecycle.status == .running)
    }

    @Test func anAwaitingSessionCanBeClosedAndLeaveMemory() throws {
        var lifecycle = Lifecycle(status: .awaitingInput)
        let left1 = lifecycle.evictIfIdle(hasReaders: false, idleLongEnough: true)
        #expect(left1)
        var closing = Lifecycle(status: .awaitingInput)
        #expect(try closing.close() == (closed: true, stopTurn: false))
    }

    @Test func onlyASessionWithNothingRunningOrWaitingLeavesMemory() throws {
        var busy = try running()
        let left2 = busy.evictIfIdle(hasReaders: false, idleLongEnough: true)
        #expect(!left2)
        var waiting = Lifecycle(status: .running, queued: [2])
        let left3 = waiting.evictIfIdle(hasReaders: false, idleLongEnough: true)
        #expect(!left3)
        var interrupted = Lifecycle(status: .running, interrupted: checkpoint(1))
        let left4 = interrupted.evictIfIdle(hasReaders: false, idleLongEnough: true)
        #expect(!left4)
        var read = Lifecycle(status: .idle)
        let left5 = read.evictIfIdle(hasReaders: true, idleLongEnough: true)
        #expect(!left5)
        var recent = Lifecycle(status: .idle)
        let left6 = recent.evictIfIdle(hasReaders: false, idleLongEnough: false)
        #expect(!left6)
        var closingWithTurn = try running()
        _ = try closingWithTurn.close()
        let left7 = closingWithTurn.evictIfIdle(hasReaders: false, idleLongEnough: true)
        #expect(!left7)
        _ = closingWithTurn.turnEnded()
        let left8 = closingWithTurn.evictIfIdle(hasReaders: false, idleLongEnough: true)
        #expect(left8)
    }

    @Test func anEvictedLifecycleRefusesEveryEvent() throws {
        var lifecycle = Lifecycle(status: .idle)
        let left9 = lifecycle.evictIfIdle(hasReaders: false, idleLongEnough: true)
        #expect(left9)
        let refused4 = refusal { () throws(Lifecycle.Refusal) in try lifecycle.checkInMemory() }
        #expect(refused4 == .evicted)
        let refused5 = refusal { () throws(Lifecycle.Refusal) in try lifecycle.receive(.turn, seq: 1) }
        #expect(refused5 == .evicted)
        let refused6 = refusal { () throws(Lifecycle.Refusal) in try lifecycle.close() }
        #expect(refused6 == .evicted)
        #expect(lifecycle.resume() == .none)
        #expect(lifecycle.turnEnded() == (nil, .none))
        let left10 = lifecycle.evictIfIdle(hasReaders: false, idleLongEnough: true)
        #expect(!left10)
    }

    @Test func eventsThatDoNotFitTheStateChangeNothing() throws {
        var idle = Lifecycle(status: .idle)
        #expect(idle.turnEnded() == (nil, .none))
        #expect(idle.turnEndedAwaitingInput() == (nil, .none))
        #expect(idle.turnWillRun() == nil)
        #expect(idle.inputFailed(seq: 99) == .none)
        #expect(idle.inputPersisted(.stop, seq: 98) == .none)
        #expect(idle.runningInSeq == nil)
        #expect(idle.status == .idle)
    }

    /// The refusal an event threw, nil when it threw none.
    private func refusal<T>(_ body: () throws(Lifecycle.Refusal) -> T) -> Lifecycle.Refusal? {
        do {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }
}
