import Dispatch

/// Where the host calls into plugin code: threads of their own, never Swift's
/// cooperative pool. That pool has one thread per core (two here); a plugin
/// that loops or blocks in `start_turn` or a C tool must cost a thread of its
/// own, not stall every route of the daemon.
enum PluginCalls {
    /// A concurrent queue on the overcommitting global pool: it starts a new
    /// thread when its threads are busy, unlike `DispatchQueue.global()`,
    /// which keeps to one per core.
    private static let queue = DispatchQueue(label: "agent-host.plugin-calls", attributes: .concurrent)

    /// Runs `body` on a plugin-call thread and returns its result.
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }

    /// Runs `body` on a plugin-call thread without waiting for it.
    static func detach(_ body: @escaping @Sendable () -> Void) {
        queue.async(execute: body)
    }
}
