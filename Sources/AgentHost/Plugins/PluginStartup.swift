import Synchronization

/// Whether the builds present in the drop directory at start-up have finished
/// loading.
///
/// The daemon listens before it loads them (a build that hangs or kills the
/// process while loading must not keep the server from answering), so
/// `/healthz` reports the phase, and sessions that resume a turn wait for it:
/// a turn interrupted by the last shutdown must find its agent, not an
/// unknown-agent error because its build has not been loaded yet.
///
/// Readable without any actor: `/healthz` answers even while the registry is
/// inside a `dlopen` that never returns.
public final class PluginStartup: Sendable {
    private struct State {
        var loading = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Nothing to wait for until ``begin()``: a registry used without a daemon
    /// (tests, tools) loads what it is given and never holds sessions back.
    public init() {}

    /// True between ``begin()`` and ``finish()``.
    public var isLoading: Bool { state.withLock { $0.loading } }

    /// The daemon is about to load the builds present at start-up.
    public func begin() {
        state.withLock { $0.loading = true }
    }

    /// The start-up builds are loaded or refused; everyone waiting goes on.
    public func finish() {
        let waiters = state.withLock { state in
            defer {
                state.loading = false
                state.waiters = [:]
            }
            return state.waiters.values
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the start-up builds are loaded (at once when they are, or
    /// when the daemon never began loading them), or when the task is cancelled.
    public func wait() async {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        // Cancelled (the daemon stops before its builds loaded): the waiter goes on at once.
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state in
                    if state.loading && !Task.isCancelled { state.waiters[id] = continuation }
                    return state.waiters[id] == nil
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
