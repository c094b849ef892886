import Dispatch

/// Where the host calls into plugin code: threads of their own, never Swift's
/// cooperative pool. That pool has one thread per core (two here); a plugin
/// that loops or blocks in `start_turn` or a C tool must cost a thread of its
/// own, not stall every route of the daemon.
enum PluginCalls {
    /// Runs `body` on a plugin-call thread and returns its result.
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            detach { continuation.resume(returning: body()) }
        }
    }

    /// Runs `body` on a plugin-call thread without waiting for it.
    static func detach(_ body: @escaping @Sendable () -> Void) {
        // A serial queue of its own per call: serial queues run on libdispatch's
        // overcommitting pool, which starts another thread when its threads are
        // busy. Concurrent queues and `DispatchQueue.global()` share the
        // per-core limit with the cooperative pool: two looping calls there
        // would stall every route. A queue is a small allocation, freed after.
        DispatchQueue(label: "agent-host.plugin-call").async(execute: body)
    }
}
