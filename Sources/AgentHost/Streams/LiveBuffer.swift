import Synchronization

/// One reader's live records, bounded in bytes.
///
/// The session offers each committed batch to every reader's buffer; the
/// reader's feed takes them as its socket accepts them. A reader that stops
/// reading (a stalled client, a slow network) would otherwise hold every batch
/// the session writes from then on. Past `limitBytes` the buffer gives up on
/// the reader instead: it drops what it holds, the offer says so (the session
/// forgets the reader), and the reader's next take throws `FellBehind`. Nothing
/// is lost — every record is in the log, and the client resumes with
/// `Last-Event-ID` from the last seq it received.
final class LiveBuffer: Sendable {
    /// What a take returns while the reader keeps up.
    enum Next: Sendable {
        case records([LogRecord])
        /// The heartbeat ticked while the reader waited (`tick()`).
        case idle
    }

    /// The reader fell more than `limitBytes` behind the session's log.
    struct FellBehind: Error, Hashable {
        let limitBytes: Int
    }

    /// The daemon is shutting down: the reader resumes from another run of it.
    struct DaemonStopping: Error, Hashable {}

    /// The default bound: a few thousand text chunks. A reader that keeps up
    /// never holds more than the batches of one commit.
    static let defaultLimitBytes = LiveBufferLimit.defaultKiB * 1024

    private struct State {
        var batches: [[LogRecord]] = []
        var bytes = 0
        var finished = false
        /// Why the reader was dropped: it fell behind, or the daemon stops.
        var dropped: (any Error)?
        var cancelled = false
        var waiter: CheckedContinuation<Next?, any Error>?
    }

    let limitBytes: Int
    private let state = Mutex(State())
    private let onCancel: @Sendable () -> Void

    /// - Parameters:
    ///   - limitBytes: How far (record bodies plus a small overhead each) the
    ///     reader may fall behind before it is dropped. A single batch larger than
    ///     this still goes to a reader that has nothing buffered.
    ///   - onCancel: Called once when the reader goes away (`cancel()`).
    init(limitBytes: Int = LiveBuffer.defaultLimitBytes, onCancel: @escaping @Sendable () -> Void = {}) {
        self.limitBytes = limitBytes
        self.onCancel = onCancel
    }

    /// What a batch counts against `limitBytes`: its bodies and a little for each record.
    private static func bytes(of batch: [LogRecord]) -> Int {
        batch.reduce(0) { $0 + $1.body.utf8.count + 64 }
    }

    /// Hands `batch` to the reader. Returns false when the reader fell too far
    /// behind: the buffer then holds nothing more and takes no more batches.
    func offer(_ batch: [LogRecord]) -> Bool {
        let size = Self.bytes(of: batch)
        let (waiter, accepted) = state.withLock { state -> (CheckedContinuation<Next?, any Error>?, Bool) in
            if state.dropped != nil { return (nil, false) }
            if state.finished || state.cancelled { return (nil, true) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, true)
            }
            if !state.batches.isEmpty, state.bytes + size > limitBytes {
                state.dropped = FellBehind(limitBytes: limitBytes)
                state.batches = []
                state.bytes = 0
                return (nil, false)
            }
            state.batches.append(batch)
            state.bytes += size
            return (nil, true)
        }
        waiter?.resume(returning: .records(batch))
        return accepted
    }

    /// The daemon stops: the reader takes what is buffered (an answer that
    /// finished within the shutdown grace reaches it whole; the buffer's limit
    /// bounds it), then its stream ends with `DaemonStopping` — not with a clean
    /// end, which a client would read as "session closed" — so it reconnects to
    /// the next run with `Last-Event-ID`.
    func stopForShutdown() {
        let waiter = state.withLock { state -> CheckedContinuation<Next?, any Error>? in
            if state.dropped == nil { state.dropped = DaemonStopping() }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(throwing: DaemonStopping())
    }

    /// No more batches: the reader takes what is buffered, then the end.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Next?, any Error>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Wakes a reader that is waiting for records with `.idle`, so it can send
    /// a keep-alive; a reader that is busy writing needs none and is left alone.
    func tick() {
        let waiter = state.withLock { state -> CheckedContinuation<Next?, any Error>? in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: .idle)
    }

    /// The reader went away: drop what is buffered and tell the owner.
    func cancel() {
        let (first, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Next?, any Error>?) in
            let first = !state.cancelled
            state.cancelled = true
            state.batches = []
            state.bytes = 0
            defer { state.waiter = nil }
            return (first, state.waiter)
        }
        waiter?.resume(returning: nil)
        if first { onCancel() }
    }

    /// The next batch, `.idle` when `tick()` came first, nil at the end or when
    /// the reading task is cancelled (the reader is then gone: `cancel()`);
    /// throws `FellBehind` once the reader was dropped. One reader at a time.
    func next() async throws -> Next? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> Result<Next?, any Error>? in
                    if !state.batches.isEmpty {
                        let batch = state.batches.removeFirst()
                        state.bytes -= Self.bytes(of: batch)
                        return .success(.records(batch))
                    }
                    if let dropped = state.dropped { return .failure(dropped) }
                    if state.finished || state.cancelled { return .success(nil) }
                    precondition(state.waiter == nil, "one reader per live buffer")
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            cancel()
        }
    }
}

/// The reader's end of a `LiveBuffer`. The session keeps the buffer; the reader
/// keeps this. When the last copy of it goes away — the reader finished, failed
/// or was dropped without a word — the buffer is cancelled and the session
/// forgets the reader, as it would for an explicit `cancel()`.
final class LiveReader: Sendable, AsyncSequence {
    typealias Element = [LogRecord]

    let buffer: LiveBuffer

    init(_ buffer: LiveBuffer) {
        self.buffer = buffer
    }

    deinit { buffer.cancel() }

    /// A reader of a buffer that has ended already, for a closed session.
    static func finished() -> LiveReader {
        let buffer = LiveBuffer()
        buffer.finish()
        return LiveReader(buffer)
    }

    /// See `LiveBuffer.next()`.
    func next() async throws -> LiveBuffer.Next? {
        try await buffer.next()
    }

    /// The batches alone (heartbeat ticks skipped), for readers that need no keep-alives.
    struct Iterator: AsyncIteratorProtocol {
        let reader: LiveReader

        mutating func next() async throws -> [LogRecord]? {
            while let next = try await reader.next() {
                if case .records(let batch) = next { return batch }
            }
            return nil
        }
    }

    func makeAsyncIterator() -> Iterator { Iterator(reader: self) }
}

/// The default of `serve --reader-buffer-limit`, public for the CLI.
public enum LiveBufferLimit {
    public static let defaultKiB = 4096
}
