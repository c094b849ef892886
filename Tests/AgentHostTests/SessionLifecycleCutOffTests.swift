@testable import AgentHost
import Testing

/// A turn cut off because storage refused its records (`turnCutOff`): it waits,
/// ahead of every queued input, until the owner resumes the session.
@Suite struct SessionLifecycleCutOffTests {
    private func running(queued: [Int64] = []) throws -> SessionLifecycle {
        var lifecycle = SessionLifecycle(status: .idle)
        _ = try lifecycle.receive(.turn, seq: 1)
        _ = lifecycle.inputPersisted(.turn, seq: 1)
        for seq in queued {
            _ = try lifecycle.receive(.turn, seq: seq)
            _ = lifecycle.inputPersisted(.turn, seq: seq)
        }
        return lifecycle
    }

    @Test func aStartedTurnResumesFromItsCheckpointBeforeTheQueue() throws {
        var lifecycle = try running(queued: [5])
        var checkpoint = TurnCheckpoint(inSeq: 1)
        checkpoint.started = true
        lifecycle.turnCutOff(checkpoint: checkpoint)
        #expect(lifecycle.runningInSeq == nil)
        #expect(lifecycle.status == .running)
        #expect(lifecycle.activeTurnInSeq == 1)
        let evicted = lifecycle.evictIfIdle(hasReaders: false, idleLongEnough: true)
        #expect(!evicted)
        #expect(lifecycle.resume() == .startTurn(.interrupted(checkpoint)))
        #expect(lifecycle.turnEnded() == (nil, .startTurn(.input(inSeq: 5))))
    }

    @Test func aTurnWhoseStartWasNeverStoredAnswersItsInputAgainFirst() throws {
        var lifecycle = try running(queued: [5])
        lifecycle.turnCutOff(checkpoint: nil)
        #expect(lifecycle.queuedInputs == 2)
        #expect(lifecycle.resume() == .startTurn(.input(inSeq: 1)))
    }

    @Test func anInputWhileCutOffStartsTheWaitingTurnOnceStored() throws {
        var lifecycle = try running()
        var checkpoint = TurnCheckpoint(inSeq: 1)
        checkpoint.started = true
        lifecycle.turnCutOff(checkpoint: checkpoint)
        _ = try lifecycle.receive(.turn, seq: 7)
        #expect(lifecycle.inputPersisted(.turn, seq: 7) == .startTurn(.interrupted(checkpoint)))
        #expect(lifecycle.resume() == .none)
    }

    @Test func aClosedSessionsCutOffTurnIsOver() throws {
        var lifecycle = try running()
        #expect(try lifecycle.close() == (true, true))
        lifecycle.turnCutOff(checkpoint: nil)
        #expect(lifecycle.runningInSeq == nil)
        #expect(lifecycle.resume() == .none)
        let evicted = lifecycle.evictIfIdle(hasReaders: false, idleLongEnough: true)
        #expect(evicted)
    }
}
