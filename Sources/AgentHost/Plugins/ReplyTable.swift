import Synchronization

/// Replies awaited by id: a call registers, its answer resumes it — once.
///
/// Plugins and workers answer by id, not by pointer, so an answer that comes
/// twice, or after the caller gave up, is a lookup miss the host logs and
/// ignores, never a use-after-free or a continuation resumed twice (which
/// would trap the daemon).
final class ReplyTable<Value: Sendable>: Sendable {
    private let waiting = Mutex<[UInt64: CheckedContinuation<Value, Never>]>([:])
    private let nextId = Atomic<UInt64>(1)

    /// A fresh id to name a call by.
    func makeId() -> UInt64 {
        nextId.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// Waits for the reply to `id`; `send` starts the call once the waiter is
    /// registered, and returns nil when it was sent, or the reply to use when
    /// the call could not even start.
    func await(_ id: UInt64, send: () -> Value?) async -> Value {
        await withCheckedContinuation { continuation in
            waiting.withLock { $0[id] = continuation }
            if let immediate = send() { resume(id, with: immediate) }
        }
    }

    /// Delivers the reply to `id`. False when nobody waits for it (a second
    /// answer, or one after `resumeAll`).
    @discardableResult
    func resume(_ id: UInt64, with value: Value) -> Bool {
        guard let continuation = waiting.withLock({ $0.removeValue(forKey: id) }) else { return false }
        continuation.resume(returning: value)
        return true
    }

    /// Answers every waiting call with `value` (its peer is gone).
    func resumeAll(with value: Value) {
        let all = waiting.withLock { table in
            defer { table.removeAll() }
            return Array(table.values)
        }
        for continuation in all { continuation.resume(returning: value) }
    }
}
