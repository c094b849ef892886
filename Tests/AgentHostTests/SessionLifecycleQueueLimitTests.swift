@testable import AgentHost
import AgentWire
import Testing

/// The queue cap and `clear-queue` (README, "Limits: inputs"), as lifecycle
/// transitions and as the history folds them from the log.
@Suite struct SessionLifecycleQueueLimitTests {
    /// A session running input 1's turn with inputs 2 and 3 waiting (3 steered).
    private func busy() throws -> SessionLifecycle {
        var lifecycle = SessionLifecycle(status: .idle)
        _ = try lifecycle.receive(.turn, seq: 1, queueLimit: 2)
        _ = lifecycle.inputPersisted(.turn, seq: 1)
        _ = try lifecycle.receive(.turn, seq: 2, queueLimit: 2)
        _ = lifecycle.inputPersisted(.turn, seq: 2)
        _ = try lifecycle.receive(.turn, seq: 3, mode: .steer, queueLimit: 2)
        _ = lifecycle.inputPersisted(.turn, seq: 3, mode: .steer)
        return lifecycle
    }

    @Test func anInputThatWouldWaitPastTheLimitIsRefused() throws {
        var lifecycle = try busy()
        #expect(throws: SessionLifecycle.Refusal.queueFull(limit: 2)) { try lifecycle.receive(.turn, seq: 4, queueLimit: 2) }
        #expect(throws: SessionLifecycle.Refusal.queueFull(limit: 2)) {
            try lifecycle.receive(.turn, seq: 4, mode: .steer, queueLimit: 2)
        }
        // One that takes the waiting inputs over does not add to them; a stop never waits.
        #expect(try lifecycle.receive(.stop, seq: 4, queueLimit: 2) == .init(status: nil, answersNow: false))
        #expect(try lifecycle.receive(.turn, seq: 5, mode: .latest, queueLimit: 2).absorbs == [2])
    }

    @Test func clearQueueTakesEveryWaitingInputAndTheTurnGoesOn() throws {
        var lifecycle = try busy()
        let plan = try lifecycle.receive(.clearQueue, seq: 4, queueLimit: 2)
        #expect(plan == .init(status: nil, answersNow: false, absorbs: [2, 3]))
        #expect(lifecycle.inputPersisted(.clearQueue, seq: 4) == .none)
        #expect(lifecycle.queuedInputs == 0)
        #expect(lifecycle.takeSteering().isEmpty)
        #expect(lifecycle.runningInSeq == 1)
        let ended = lifecycle.turnEnded()
        #expect(ended.status == .idle)
        #expect(ended.next == .none)
    }

    @Test func theHistoryFoldsAClearedQueueAsInputsThatGetNoTurn() throws {
        func input(_ seq: Int64, _ record: InputRecord) throws -> LogRecord {
            LogRecord(chatId: "c", seq: seq, kind: .input, body: try WireCoding.encodeString(record))
        }
        var clear = InputRecord(kind: .clearQueue)
        clear.absorbs = [2, 3]
        let history = MessageHistory(records: [
            try input(2, InputRecord(kind: .message, message: .text("a", role: "user", id: "a"))),
            try input(3, InputRecord(kind: .message, message: .text("b", role: "user", id: "b"))),
            try input(4, clear),
        ])
        #expect(history.pendingInputs.isEmpty)
    }
}
