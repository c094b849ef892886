import Synchronization

/// Per key, work that runs one piece after another: each piece starts once the
/// key's previous one is over. A key holds its last task only while it runs.
///
/// Used where a chat's background work must keep its order — its
/// suspend/resume hooks, the release of its ownership lock, the answers to its
/// relayed requests — without holding its actor while the work runs.
final class SerialTasks: Sendable {
    private let tails = Mutex<[String: Task<Void, Never>]>([:])

    /// Runs `work` after the key's previous work.
    /// - Parameters:
    ///   - key: What the work is ordered by (a chat id).
    ///   - work: The piece of work.
    /// - Returns: Its task, for a caller that must wait for it.
    @discardableResult
    func enqueue(_ key: String, _ work: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        let task = tails.withLock { tails in
            let previous = tails[key]
            let task = Task {
                await previous?.value
                await work()
            }
            tails[key] = task
            return task
        }
        Task {
            await task.value
            tails.withLock { tails in
                if tails[key] == task { tails[key] = nil }
            }
        }
        return task
    }

    /// The key's work still running, if any.
    func last(_ key: String) -> Task<Void, Never>? {
        tails.withLock { $0[key] }
    }
}
