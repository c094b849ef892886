/// Group commit for every session log in the daemon.
///
/// Callers hand in records and wait until they are durable. While one
/// transaction is being written, everything that arrives queues up and goes into
/// the next one, so a busy daemon writes many records per commit and an idle one
/// commits a lone record at once, without a timer.
///
/// A batch holds the records of many sessions, so one caller's bad record (a seq
/// taken twice) must not fail the others: when a batch of several callers fails,
/// each caller's records are retried in a transaction of their own, and only the
/// callers whose own transaction fails get the error. A failure of the storage
/// itself (`AgentHostError.storageUnavailable`) fails the whole batch at once.
public actor LogWriter {
    private struct Entry {
        var records: [LogRecord]
        var status: StatusChange?
        var waiter: CheckedContinuation<Void, any Error>
    }

    private let storage: any SessionStorage
    private var pending: [Entry] = []
    private var isFlushing = false
    private let metrics: HostMetrics

    /// - Parameters:
    ///   - metrics: where commits are counted and timed.
    public init(storage: any SessionStorage, metrics: HostMetrics = HostMetrics()) {
        self.storage = storage
        self.metrics = metrics
    }

    /// How many callers wait for records that no transaction has taken yet (while
    /// one is being written, those that arrived since it started). Lets a test see
    /// that callers queued up, without reaching into the batch.
    var queuedCallers: Int { pending.count }

    /// Returns once `records` (and the status change, if any) are committed;
    /// throws if their transaction failed. A session's status travels with its
    /// records, so marking a session running costs no transaction of its own.
    public func append(_ records: [LogRecord], status: StatusChange? = nil) async throws {
        guard !records.isEmpty || status != nil else { return }
        try await withCheckedThrowingContinuation { continuation in
            pending.append(Entry(records: records, status: status, waiter: continuation))
            if !isFlushing {
                isFlushing = true
                Task { await self.flushUntilEmpty() }
            }
        }
    }

    private func flushUntilEmpty() async {
        while !pending.isEmpty {
            let batch = pending
            pending.removeAll(keepingCapacity: true)
            do {
                let records = batch.flatMap(\.records), started = ContinuousClock.now
                try await storage.append(records, statuses: batch.compactMap(\.status))
                metrics.logCommitted(records: records.count, duration: ContinuousClock.now - started)
                for entry in batch { entry.waiter.resume() }
            } catch {
                // The storage itself failed (`StorageHealth`): retrying each caller
                // alone would only fail again, and refused writes cost nothing to refuse.
                guard batch.count > 1, !Self.isStorageFailure(error) else {
                    for entry in batch { entry.waiter.resume(throwing: error) }
                    continue
                }
                for entry in batch {
                    do {
                        try await storage.append(entry.records, statuses: entry.status.map { [$0] } ?? [])
                        entry.waiter.resume()
                    } catch {
                        entry.waiter.resume(throwing: error)
                    }
                }
            }
        }
        isFlushing = false
    }

    private static func isStorageFailure(_ error: any Error) -> Bool {
        if case .storageUnavailable? = error as? AgentHostError { true } else { false }
    }
}
