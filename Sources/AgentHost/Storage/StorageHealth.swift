import Logging
import Synchronization

/// Whether the database takes writes: a circuit breaker over the storage's commits.
///
/// The first failed commit opens it: from then on every write is refused at
/// once (a 503, never an acknowledgement) instead of trying a database that
/// just failed, and a probe (the storage's business) tries a small write on a
/// backoff. The probe's first success closes it again and wakes whatever waits
/// for storage (`waitUntilWritable`): sessions whose turns were cut off resume
/// them. A problem that no probe can fix (the database file was deleted or
/// replaced) keeps it open until the daemon restarts.
///
/// Readable without an actor hop: every write looks at it first.
public final class StorageHealth: Sendable {
    private struct State {
        var problem: StorageProblem?
        var probing = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let logger: Logger

    /// - Parameters:
    ///   - logger: Where the breaker's changes are logged (loudly: they lose turns).
    public init(logger: Logger) {
        self.logger = logger
    }

    /// Why writes are refused; nil while they are taken.
    public var problem: StorageProblem? { state.withLock { $0.problem } }

    /// A write failed for a storage reason: the breaker opens (a permanent
    /// problem replaces a passing one, never the other way round).
    /// - Returns: true when the caller must start probing: the problem can pass
    ///   and no probe runs yet.
    func recordFailure(_ problem: StorageProblem) -> Bool {
        let (opened, startProbe) = state.withLock { state -> (Bool, Bool) in
            let opened = state.problem == nil
            if state.problem?.kind.isPermanent != true { state.problem = problem }
            let startProbe = !problem.kind.isPermanent && !state.probing
            if startProbe { state.probing = true }
            return (opened, startProbe)
        }
        if opened {
            let metadata: Logger.Metadata = ["problem": "\(problem.kind.rawValue)", "error": "\(problem.message)"]
            if problem.kind.isPermanent {
                logger.critical("the database file is gone: writes are refused until the daemon restarts", metadata: metadata)
            } else {
                logger.error("storage failed a commit: writes are refused until a probe write succeeds", metadata: metadata)
            }
        }
        return startProbe
    }

    /// A write succeeded: the breaker closes, unless its problem is permanent.
    func recordSuccess() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>]? in
            guard let problem = state.problem, !problem.kind.isPermanent else { return nil }
            state.problem = nil
            defer { state.waiters = [] }
            return state.waiters
        }
        guard let waiters else { return }
        logger.notice("storage takes writes again", metadata: ["waiting": "\(waiters.count)"])
        for waiter in waiters { waiter.resume() }
    }

    /// The probe loop ended. Returns false, and the loop goes on, when a
    /// failure arrived since the probe's last look (it started no loop of its own).
    func probeEnded() -> Bool {
        state.withLock { state in
            guard state.problem == nil || state.problem?.kind.isPermanent == true else { return false }
            state.probing = false
            return true
        }
    }

    /// Returns once writes are taken; at once when they are. Never returns
    /// while a permanent problem holds.
    public func waitUntilWritable() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                guard state.problem != nil else { return true }
                state.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
