import Synchronization

/// A hook call a session's turns wait for: `onResume` runs before the first
/// turn of a session rebuilt from storage. Set without awaiting the session,
/// so no input can slip in between the session waking and the hook being known.
final class HookGate: Sendable {
    private let pending = Mutex<Task<Void, Never>?>(nil)

    /// The hook call to wait for (replacing one already waited for).
    func hold(_ task: Task<Void, Never>) {
        pending.withLock { $0 = task }
    }

    /// Waits for the held call, if any.
    func wait() async {
        await pending.withLock { $0 }?.value
    }
}
