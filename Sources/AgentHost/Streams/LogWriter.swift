/// Group commit for every session log in the daemon.
///
/// Callers hand in records and wait until they are durable. While one
/// transaction is being written, everything that arrives queues up and goes into
/// the next one, so a busy daemon writes many records per commit and an idle one
/// commits a lone record at once, without a timer.
public actor LogWriter {
    private let storage: any SessionStorage
    private var pending: [LogRecord] = []
    private var waiters: [CheckedContinuation<Void, any Error>] = []
    private var isFlushing = false

    public init(storage: any SessionStorage) {
        self.storage = storage
    }

    /// Returns once `records` are committed; throws if their transaction failed.
    public func append(_ records: [LogRecord]) async throws {
        guard !records.isEmpty else { return }
        try await withCheckedThrowingContinuation { continuation in
            pending.append(contentsOf: records)
            waiters.append(continuation)
            if !isFlushing {
                isFlushing = true
                Task { await self.flushUntilEmpty() }
            }
        }
    }

    private func flushUntilEmpty() async {
        while !pending.isEmpty {
            let batch = pending
            let batchWaiters = waiters
            pending.removeAll(keepingCapacity: true)
            waiters.removeAll(keepingCapacity: true)
            do {
                try await storage.append(batch)
                for waiter in batchWaiters { waiter.resume() }
            } catch {
                for waiter in batchWaiters { waiter.resume(throwing: error) }
            }
        }
        isFlushing = false
    }
}
