/// Group commit for every session log in the daemon.
///
/// Callers hand in records and wait until they are durable. While one
/// transaction is being written, everything that arrives queues up and goes into
/// the next one, so a busy daemon writes many records per commit and an idle one
/// commits a lone record at once, without a timer.
public actor LogWriter {
    private let storage: any SessionStorage
    private var pending: [LogRecord] = []
    private var pendingStatuses: [StatusChange] = []
    private var waiters: [CheckedContinuation<Void, any Error>] = []
    private var isFlushing = false

    public init(storage: any SessionStorage) {
        self.storage = storage
    }

    /// How many callers wait for records that no transaction has taken yet (while
    /// one is being written, those that arrived since it started). Lets a test see
    /// that callers queued up, without reaching into the batch.
    var queuedCallers: Int { waiters.count }

    /// Returns once `records` (and the status change, if any) are committed;
    /// throws if their transaction failed. A session's status travels with its
    /// records, so marking a session running costs no transaction of its own.
    public func append(_ records: [LogRecord], status: StatusChange? = nil) async throws {
        guard !records.isEmpty || status != nil else { return }
        try await withCheckedThrowingContinuation { continuation in
            pending.append(contentsOf: records)
            if let status { pendingStatuses.append(status) }
            waiters.append(continuation)
            if !isFlushing {
                isFlushing = true
                Task { await self.flushUntilEmpty() }
            }
        }
    }

    private func flushUntilEmpty() async {
        while !waiters.isEmpty {
            let batch = pending
            let statuses = pendingStatuses
            let batchWaiters = waiters
            pending.removeAll(keepingCapacity: true)
            pendingStatuses.removeAll(keepingCapacity: true)
            waiters.removeAll(keepingCapacity: true)
            do {
                try await storage.append(batch, statuses: statuses)
                for waiter in batchWaiters { waiter.resume() }
            } catch {
                for waiter in batchWaiters { waiter.resume(throwing: error) }
            }
        }
        isFlushing = false
    }
}
