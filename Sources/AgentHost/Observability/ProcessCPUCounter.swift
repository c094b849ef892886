import Metrics
import Synchronization

/// `process_cpu_seconds_total` is a counter, and a swift-metrics counter only
/// goes up by an amount: this remembers what the kernel said at the last scrape
/// and adds the difference.
final class ProcessCPUCounter: Sendable {
    private let lastSeconds = Mutex(0.0)

    /// Adds to `counter` the CPU time spent since the last call.
    /// - Parameters:
    ///   - seconds: the process's user plus system CPU time now.
    ///   - counter: `process_cpu_seconds_total`.
    func advance(to seconds: Double, counter: FloatingPointCounter) {
        let delta = lastSeconds.withLock { last in
            defer { last = max(last, seconds) }
            return seconds - last
        }
        if delta > 0 { counter.increment(by: delta) }
    }
}
