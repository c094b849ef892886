import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts a worker process with its end of a fresh socket pair on fd 3.
enum WorkerSpawn {
    /// - Parameters:
    ///   - executable: The `agent-host` binary (`/proc/self/exe` in the daemon).
    ///   - arguments: Its arguments, after the program name.
    /// - Returns: The child's pid and the daemon's end of the socket.
    static func start(executable: String, arguments: [String]) throws(WorkerFailure) -> (pid: pid_t, socket: Int32) {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw WorkerFailure( "socketpair failed: \(String(cString: strerror(errno)))")
        }
        let (daemonEnd, workerEnd) = (fds[0], fds[1])
        // A worker that stops reading must not block a daemon thread forever:
        // a send that waits this long fails, and the worker is killed.
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(daemonEnd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the copy: fd 3 is the only socket end the worker keeps.
        posix_spawn_file_actions_adddup2(&actions, workerEnd, PluginWorker.socketDescriptor)
        // The daemon's stdout carries its banner, which scripts read; a worker writes to stderr only.
        posix_spawn_file_actions_adddup2(&actions, 2, 1)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The daemon ignores or blocks signals for its own shutdown handling;
        // a worker starts with the defaults, so SIGTERM and friends end it.
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) }
        defer { for pointer in argv { free(pointer) } }
        var environment = ProcessInfo.processInfo.environment
        // Swift's backtracer takes seconds per crash, and a crashed worker's
        // turns wait for it; an operator who wants the backtraces sets it.
        if environment["SWIFT_BACKTRACE"] == nil { environment["SWIFT_BACKTRACE"] = "enable=no" }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") }
        defer { for pointer in envp { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv + [nil], envp + [nil])
        close(workerEnd)
        guard result == 0 else {
            close(daemonEnd)
            throw WorkerFailure( "cannot start a worker (\(executable)): \(String(cString: strerror(result)))")
        }
        return (pid, daemonEnd)
    }

    /// Kills `pid` (if it still runs) and reaps it; returns how it ended, in words.
    static func reap(_ pid: pid_t) -> String {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return "ended (not reaped: \(String(cString: strerror(errno))))" }
        }
        let signal = status & 0x7f
        if signal == 0 { return "exited with status \((status >> 8) & 0xff)" }
        let name = strsignal(signal).map { String(cString: $0) } ?? "signal \(signal)"
        return "was killed by signal \(signal) (\(name))"
    }

    /// The process's resident memory, from `/proc/<pid>/statm`.
    static func residentBytes(_ pid: pid_t) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// Why a worker could not be started or reached, in words for the log and the refusal.
struct WorkerFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
