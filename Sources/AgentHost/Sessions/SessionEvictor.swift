import Logging
#if canImport(Glibc)
import Glibc
#endif
import ServiceLifecycle

/// Periodically drops idle sessions from memory, so an idle session costs disk,
/// not RAM. The next input rebuilds it from its log, transparently.
struct SessionEvictor: Service {
    let sessions: SessionDirectory
    let idleTimeout: Duration
    let logger: Logger

    func run() async throws {
        // Check a few times per timeout, at most every 30 s and at least every 100 ms.
        let interval = max(min(idleTimeout / 4, .seconds(30)), .milliseconds(100))
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                let evicted = await sessions.evictIdle(idleFor: idleTimeout)
                if evicted > 0 {
                    logger.debug("evicted idle sessions", metadata: ["count": "\(evicted)"])
                    // Hand the freed pages back to the OS, so idle sessions really cost no RAM.
                    MemoryTrim.releaseFreePages()
                }
            }
        }
    }
}

/// glibc's `malloc_trim`, looked up at run time: it is not in Swift's Glibc module.
enum MemoryTrim {
    private typealias TrimFunction = @convention(c) (Int) -> Int32

    static func releaseFreePages() {
        guard let symbol = dlsym(nil, "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: TrimFunction.self)(0)
    }
}
