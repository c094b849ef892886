@testable import AgentHost
import Synchronization
import Testing

/// A recall runs its turn's action once, and a lease given back lets the action go.
@Suite struct LeaseRecallTests {
    /// Something a turn's action holds (in the daemon: the turn's channel).
    private final class Held: Sendable {}

    @Test func aRecallRunsTheActionOnceAlsoWhenItCameFirst() {
        let runs = Counter()
        let recall = LeaseRecall()
        recall.onRecall { runs.add() }
        recall.recall()
        recall.recall()
        #expect(runs.value == 1)

        let early = LeaseRecall()
        early.recall()
        early.onRecall { runs.add() }
        #expect(runs.value == 2, "a recall before the action runs the action when it is given")
    }

    @Test func aReleasedLeaseDropsItsActionAndIsNeverRecalled() {
        let runs = Counter()
        var held: Held? = Held()
        weak var watched = held
        let recall = LeaseRecall()
        recall.onRecall { [held] in
            _ = held
            runs.add()
        }
        held = nil
        #expect(watched != nil, "the action holds what it cuts")
        recall.release()
        // The channel–lease cycle is broken: what the action held is freed.
        #expect(watched == nil)
        recall.recall()
        recall.onRecall { runs.add() }
        #expect(runs.value == 0)
    }
}

/// A count that `@Sendable` actions can add to.
private final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func add() { count.withLock { $0 += 1 } }
}
