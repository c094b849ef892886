import Foundation
import Logging
import ServiceLifecycle
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

    /// Loads what is already in the directory; the daemon calls this before it listens.
    public func loadExisting() async {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for file in files.sorted() where Self.isCandidate(file) {
            await registry.load(path: "\(directory)/\(file)")
        }
    }

    public func run() async throws {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else {
            logger.error("cannot watch plugins directory: inotify_init1 failed (\(errno)); new builds need a restart")
            try await gracefulShutdown()
            return
        }
        defer { close(fd) }
        guard inotify_add_watch(fd, directory, UInt32(IN_CLOSE_WRITE | IN_MOVED_TO)) >= 0 else {
            logger.error("cannot watch \(directory): \(String(cString: strerror(errno)))")
            try await gracefulShutdown()
            return
        }
        // Files that landed between loadExisting() and the watch being armed.
        await loadExisting()
        try await cancelWhenGracefulShutdown {
            var pending: [String: ContinuousClock.Instant] = [:]
            while !Task.isCancelled {
                for name in Self.readEvents(fd) where Self.isCandidate(name) {
                    pending[name] = .now
                }
                let due = pending.filter { $0.value.duration(to: .now) >= debounce }.map(\.key).sorted()
                for name in due {
                    pending[name] = nil
                    await registry.load(path: "\(directory)/\(name)")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    static func isCandidate(_ name: String) -> Bool {
        name.hasSuffix(".so") && !name.hasPrefix(".")
    }

    /// Drains the non-blocking inotify fd; returns the file names it reported.
    static func readEvents(_ fd: Int32) -> [String] {
        var names: [String] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { return names }
            var offset = 0
            let headerSize = MemoryLayout<inotify_event>.size
            while offset + headerSize <= count {
                let nameLength = buffer.withUnsafeBytes { raw in
                    Int(raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self).len)
                }
                let start = offset + headerSize
                let end = min(start + nameLength, count)
                let nameBytes = buffer[start..<end].prefix { $0 != 0 }
                if !nameBytes.isEmpty { names.append(String(decoding: nameBytes, as: UTF8.self)) }
                offset = start + nameLength
            }
        }
    }
}
