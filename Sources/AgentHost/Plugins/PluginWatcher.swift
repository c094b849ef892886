import Foundation
import Logging
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Watches the plugins drop directory and hands each complete `.so` to the
/// registry: the files present at start-up, then every file closed after
/// writing (`IN_CLOSE_WRITE`) or renamed in (`IN_MOVED_TO`, what `deploy` does).
public struct PluginWatcher: Service {
    let directory: String
    let registry: PluginRegistry
    let logger: Logger
    /// Events for one file within this window are handled once.
    let debounce: Duration = .milliseconds(150)

    public init(directory: String, registry: PluginRegistry, logger: Logger) {
        self.directory = directory
        self.registry = registry
        self.logger = logger
    }

    /// Loads what is already in the directory. ``run()`` does, once the watch is
    /// armed, and then marks the registry's start-up load finished.
    public func loadExisting() async {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for file in files.sorted() where Self.isCandidate(file) {
            await registry.load(path: "\(directory)/\(file)")
        }
    }

    public func run() async throws {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else {
            logger.error("cannot watch the plugins directory (inotify_init1 failed); new builds need a restart", metadata: [
                "directory": "\(directory)", "errno": "\(errno)",
            ])
            await loadAtStartup()
            try await gracefulShutdown()
            return
        }
        guard inotify_add_watch(fd, directory, UInt32(IN_CLOSE_WRITE | IN_MOVED_TO)) >= 0 else {
            logger.error("cannot watch the plugins directory; new builds need a restart", metadata: [
                "directory": "\(directory)", "error": "\(String(cString: strerror(errno)))",
            ])
            close(fd)
            await loadAtStartup()
            try await gracefulShutdown()
            return
        }
        // Armed first, then the scan: a file that lands in between is seen by both
        // (the registry loads a hash once), never by neither.
        await loadAtStartup()
        let events = Self.events(fd: fd)
        try await cancelWhenGracefulShutdown {
            // A renamed-in file is complete: load it at once. A file written in
            // place is loaded once it has been quiet for the debounce window.
            var pending: [String: ContinuousClock.Instant] = [:]
            for await batch in events {
                for event in batch where Self.isCandidate(event.name) {
                    if event.movedIn {
                        pending[event.name] = nil
                        await registry.load(path: "\(directory)/\(event.name)")
                    } else {
                        pending[event.name] = .now
                    }
                }
                let due = pending.filter { $0.value.duration(to: .now) >= debounce }.map(\.key).sorted()
                for name in due {
                    pending[name] = nil
                    await registry.load(path: "\(directory)/\(name)")
                }
            }
        }
    }

    /// The start-up scan: the daemon already listens; sessions waiting for
    /// their agent go on once it is done. Then the build catalog has its say:
    /// the recorded active builds become active again (fetched first from a
    /// shared catalog when this daemon lacks them), whatever order the files loaded in.
    private func loadAtStartup() async {
        await loadExisting()
        await registry.syncWithCatalog()
        registry.startup.finish()
    }

    struct Event: Sendable {
        let name: String
        let movedIn: Bool
    }

    /// Reads inotify events on a thread of its own (a blocking `poll` must not
    /// hold a thread of Swift's cooperative pool). Yields each batch as it
    /// arrives and an empty batch every 50 ms, which drives the debounce. The
    /// thread closes `fd` when the stream's consumer goes away.
    static func events(fd: Int32) -> AsyncStream<[Event]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [Event].self)
        let stopped = StopFlag()
        continuation.onTermination = { _ in stopped.set() }
        let thread = Thread {
            defer { close(fd) }
            var pollFD = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            while !stopped.isSet {
                _ = poll(&pollFD, 1, 50)
                continuation.yield(readEvents(fd))
            }
        }
        thread.name = "agent-host plugin watcher"
        thread.start()
        return stream
    }

    static func isCandidate(_ name: String) -> Bool {
        name.hasSuffix(".so") && !name.hasPrefix(".")
    }

    /// Drains the non-blocking inotify fd.
    static func readEvents(_ fd: Int32) -> [Event] {
        var events: [Event] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { return events }
            var offset = 0
            let headerSize = MemoryLayout<inotify_event>.size
            while offset + headerSize <= count {
                let header = buffer.withUnsafeBytes { raw in raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self) }
                let nameLength = Int(header.len)
                let start = offset + headerSize
                let end = min(start + nameLength, count)
                let nameBytes = buffer[start..<end].prefix { $0 != 0 }
                if !nameBytes.isEmpty {
                    let movedIn = header.mask & UInt32(IN_MOVED_TO) != 0
                    events.append(Event(name: String(decoding: nameBytes, as: UTF8.self), movedIn: movedIn))
                }
                offset = start + nameLength
            }
        }
    }
}

/// A flag one thread sets and another polls.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
