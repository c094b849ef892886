@testable import AgentHost
import AgentWire
import Testing

/// What a message that arrives while the session is busy does, by its
/// `MessageConcurrency`: every transition of the value, without a daemon.
@Suite struct SessionLifecycleConcurrencyTests {
    private typealias Lifecycle = SessionLifecycle

    /// A session running the turn for input 1.
    private func running() throws -> Lifecycle {
        var lifecycle = Lifecycle(status: .idle)
        _ = try lifecycle.receive(.turn, seq: 1, mode: .steer)
        _ = lifecycle.inputPersisted(.turn, seq: 1)
        return lifecycle
    }

    /// Receives and persists a turn input the way the session does.
    private func send(_ lifecycle: inout Lifecycle, seq: Int64, mode: MessageConcurrency) throws -> (plan: Lifecycle.InputPlan, action: Lifecycle.Action) {
        let plan = try lifecycle.receive(.turn, seq: seq, mode: mode)
        return (plan, lifecycle.inputPersisted(.turn, seq: seq, mode: plan.mode))
    }

    @Test func anIdleSessionAnswersASteeredMessageAsAnyOther() throws {
        let lifecycle = try running()
        #expect(lifecycle.runningInSeq == 1)
    }

    @Test func aSteeredMessageWaitsForTheNextBoundaryAndIsTakenOnce() throws {
        var lifecycle = try running()
        let sent = try send(&lifecycle, seq: 4, mode: .steer)
        #expect(sent.plan.mode == .steer)
        #expect(sent.action == .none)
        #expect(lifecycle.queuedInputs == 1)
        #expect(lifecycle.takeSteering() == [4])
        #expect(lifecycle.takeSteering() == [])
        // Taken by the turn: the turn's end starts nothing for it.
        let ended = lifecycle.turnEnded()
        #expect(ended.next == .none)
        #expect(ended.status == .idle)
    }

    @Test func aSteeredMessageNoBoundaryTookIsTheNextTurnInArrivalOrder() throws {
        var lifecycle = try running()
        _ = try send(&lifecycle, seq: 3, mode: .steer)
        _ = try send(&lifecycle, seq: 5, mode: .queue)
        _ = try send(&lifecycle, seq: 7, mode: .steer)
        #expect(lifecycle.turnEnded().next == .startTurn(.input(inSeq: 3)))
        // The next turn's boundaries take nothing: what waits is queued now.
        #expect(lifecycle.takeSteering() == [])
        #expect(lifecycle.turnEnded().next == .startTurn(.input(inSeq: 5)))
        #expect(lifecycle.turnEnded().next == .startTurn(.input(inSeq: 7)))
    }

    @Test func aTurnEndingAwaitingInputStillAnswersWhatWasSteeredAfterIt() throws {
        var lifecycle = try running()
        _ = try send(&lifecycle, seq: 3, mode: .steer)
        #expect(lifecycle.turnEndedAwaitingInput().next == .startTurn(.input(inSeq: 3)))
    }

    @Test func afterARestartSteeredInputsMayEnterTheInterruptedTurnOthersQueue() throws {
        var checkpoint = TurnCheckpoint(inSeq: 1)
        checkpoint.started = true
        var lifecycle = Lifecycle(status: .running, queued: [3, 4], steering: [3], interrupted: checkpoint)
        #expect(lifecycle.resume() == .startTurn(.interrupted(checkpoint)))
        #expect(lifecycle.takeSteering() == [3])
        #expect(lifecycle.turnEnded().next == .startTurn(.input(inSeq: 4)))

        // Without a turn to enter, a steered input is simply the next turn.
        var idle = Lifecycle(status: .running, queued: [3], steering: [3])
        #expect(idle.resume() == .startTurn(.input(inSeq: 3)))
    }

    @Test func latestTakesOverTheWaitingInputsAndOnlyItRuns() throws {
        var lifecycle = try running()
        _ = try send(&lifecycle, seq: 2, mode: .queue)
        _ = try send(&lifecycle, seq: 3, mode: .steer)
        let latest = try send(&lifecycle, seq: 4, mode: .latest)
        // The steered one belongs to the running turn and stays.
        #expect(latest.plan.absorbs == [2])
        #expect(latest.plan.mode == .latest)
        #expect(lifecycle.takeSteering() == [3])
        #expect(lifecycle.turnEnded().next == .startTurn(.input(inSeq: 4)))
        #expect(lifecycle.turnEnded().status == .idle)
    }

    @Test func mergeTakesTheWaitingInputsIntoOneTurn() throws {
        var lifecycle = try running()
        _ = try send(&lifecycle, seq: 2, mode: .merge)
        #expect(try send(&lifecycle, seq: 3, mode: .merge).plan.absorbs == [2])
        #expect(try send(&lifecycle, seq: 4, mode: .merge).plan.absorbs == [3])
        #expect(lifecycle.queuedInputs == 1)
        #expect(lifecycle.turnEnded().next == .startTurn(.input(inSeq: 4)))
    }

    @Test func dropIsRefusedWhileBusyAndAnsweredWhenIdle() throws {
        var lifecycle = try running()
        #expect(throws: Lifecycle.Refusal.busy) { try lifecycle.receive(.turn, seq: 2, mode: .drop) }
        #expect(lifecycle.queuedInputs == 0)
        _ = lifecycle.turnEnded()
        #expect(try lifecycle.receive(.turn, seq: 2, mode: .drop).answersNow)
    }

    @Test func debounceWaitsForAQuietWindowAndANewerInputRestartsIt() throws {
        var lifecycle = try running()
        _ = try send(&lifecycle, seq: 2, mode: .debounce(milliseconds: 300))
        #expect(lifecycle.turnEnded().next == .startAfterQuiet(inSeq: 2, milliseconds: 300))
        #expect(lifecycle.status == .running)
        // Another arrives within the window: it takes the first over and waits anew.
        let newer = try send(&lifecycle, seq: 3, mode: .debounce(milliseconds: 300))
        #expect(newer.plan.absorbs == [2])
        #expect(newer.action == .startAfterQuiet(inSeq: 3, milliseconds: 300))
        // The first window's timer finds its input gone.
        #expect(lifecycle.quietWindowElapsed(inSeq: 2) == .none)
        #expect(lifecycle.quietWindowElapsed(inSeq: 3) == .startTurn(.input(inSeq: 3)))
        #expect(lifecycle.runningInSeq == 3)
    }
}
