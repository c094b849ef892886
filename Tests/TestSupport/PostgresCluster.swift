import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A throw-away PostgreSQL server for tests: `initdb` into a temp directory,
/// started on a free loopback port with trust authentication, stopped and
/// removed when the test process exits.
///
/// One cluster serves the whole test process (an `initdb` costs seconds); each
/// test takes a database of its own with ``database()``. PostgreSQL refuses to
/// run as root, so under root the server runs as the `postgres` user
/// (`.ci/run` creates it with Debian's package). Without PostgreSQL installed,
/// ``shared()`` throws: the PostgreSQL tests fail saying so, never skip.
public final class PostgresCluster: Sendable {
    /// The superuser `initdb` creates; the URLs log in as it.
    public static let superuser = "agenthost"
    /// The loopback port the server listens on.
    public let port: Int
    /// Holds the data directory, the socket and the server log.
    public let directory: URL
    private let binDirectory: URL
    /// Set when the server runs as another user (the test process is root).
    private let runAs: String?

    private var dataDirectory: URL { directory.appendingPathComponent("data") }

    /// The process's cluster, started by the first caller.
    /// - Throws: `TestFailure` when PostgreSQL is not installed or does not start.
    public static func shared() throws -> PostgresCluster {
        try started.get()
    }

    private static let started: Result<PostgresCluster, TestFailure> = {
        do {
            let cluster = try PostgresCluster()
            // No test-suite teardown hook exists: the server goes when the process does.
            atexit { try? PostgresCluster.started.get().stop() }
            return .success(cluster)
        } catch let failure as TestFailure {
            return .failure(failure)
        } catch {
            return .failure(TestFailure("could not start PostgreSQL: \(error)"))
        }
    }()

    /// A fresh, empty database on the shared cluster.
    /// - Returns: Its URL, e.g. `postgres://agenthost@127.0.0.1:PORT/t_…?sslmode=disable`.
    public static func database() throws -> String {
        let cluster = try shared()
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let created = try Command.run([
            cluster.binDirectory.appendingPathComponent("createdb").path,
            "-h", "127.0.0.1", "-p", "\(cluster.port)", "-U", superuser, name,
        ])
        guard created.status == 0 else { throw TestFailure("createdb \(name) failed:\n\(created.output)") }
        return cluster.url(database: name)
    }

    /// Runs SQL with `psql` on a database of the shared cluster, e.g. to look at
    /// what the daemon wrote or to set up a state it must refuse.
    /// - Parameters:
    ///   - url: A URL from ``database()``.
    ///   - sql: The statements.
    /// - Returns: The unaligned, tuples-only output (`|` between columns).
    public static func psql(_ url: String, _ sql: String) throws -> String {
        let cluster = try shared()
        let result = try Command.run([
            cluster.binDirectory.appendingPathComponent("psql").path, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql,
        ])
        guard result.status == 0 else { throw TestFailure("psql failed:\n\(result.output)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The URL of `database` on this cluster.
    /// - Parameters:
    ///   - database: A database name.
    public func url(database: String) -> String {
        "postgres://\(Self.superuser)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    private init() throws {
        let binDirectory = try Self.findBinDirectory()
        let runAs: String? = getuid() == 0 ? "postgres" : nil
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agent-host-pg-\(UUID().uuidString)")
        let dataDirectory = directory.appendingPathComponent("data")
        self.binDirectory = binDirectory
        self.runAs = runAs
        self.directory = directory
        func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
            try Self.run(program, arguments, in: binDirectory, as: runAs)
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if let runAs {
            guard let account = getpwnam(runAs) else {
                throw TestFailure("running as root and there is no \(runAs) user for PostgreSQL to run as (.ci/run creates it)")
            }
            guard chown(directory.path, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
                throw TestFailure("chown \(directory.path) to \(runAs) failed")
            }
        }
        let initdb = try run("initdb", [
            "-D", dataDirectory.path, "-U", Self.superuser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync",
        ])
        guard initdb.status == 0 else { throw TestFailure("initdb failed:\n\(initdb.output)") }
        // A port taken between the probe and the server's bind: try another.
        var attempts: [String] = []
        for _ in 0..<3 {
            let port = try Self.freeLoopbackPort()
            let log = directory.appendingPathComponent("server-\(port).log")
            if try Self.startServer(
                binDirectory: binDirectory, runAs: runAs, dataDirectory: dataDirectory, socketDirectory: directory, port: port, log: log
            ) {
                self.port = port
                try Self.watch(directory: directory, dataDirectory: dataDirectory, binDirectory: binDirectory, runAs: runAs)
                return
            }
            attempts.append((try? String(contentsOf: log, encoding: .utf8)) ?? "(no server log)")
        }
        try? FileManager.default.removeItem(at: directory)
        throw TestFailure("PostgreSQL did not start, three times:\n\(attempts.joined(separator: "\n---\n"))")
    }

    /// Starts `postgres` as a child of this process (not through `pg_ctl start`,
    /// whose daemonised server left Foundation's `waitUntilExit` hanging) and
    /// waits until it accepts connections.
    /// - Returns: false when the server exited instead (its log says why).
    private static func startServer(
        binDirectory: URL, runAs: String?, dataDirectory: URL, socketDirectory: URL, port: Int, log: URL
    ) throws -> Bool {
        let server = binDirectory.appendingPathComponent("postgres").path
        let arguments = [
            "-D", dataDirectory.path, "-p", "\(port)", "-k", socketDirectory.path, "-c", "listen_addresses=127.0.0.1",
            // Every test daemon and storage opens a pool; many run at once.
            "-c", "max_connections=500",
            // A throw-away server: durability across a machine crash is not what tests check.
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
        ]
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else { throw TestFailure("cannot create \(log.path)") }
        let output = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = runAs.map { ["runuser", "-u", $0, "--", server] + arguments } ?? [server] + arguments
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline {
            let ready = try Command.run([
                binDirectory.appendingPathComponent("pg_isready").path, "-q", "-h", "127.0.0.1", "-p", "\(port)",
            ])
            if ready.status == 0 { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        return false
    }

    /// Stops the server and removes its directory when this process ends,
    /// however it ends (a test run killed by a timeout runs no `atexit`).
    private static func watch(directory: URL, dataDirectory: URL, binDirectory: URL, runAs: String?) throws {
        let stop = [binDirectory.appendingPathComponent("pg_ctl").path, "stop", "-D", dataDirectory.path, "-m", "immediate", "-w"]
        let stopCommand = (runAs.map { ["runuser", "-u", $0, "--"] } ?? []) + stop
        let quoted = stopCommand.map { "'\($0)'" }.joined(separator: " ")
        let watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/bin/sh")
        watchdog.arguments = [
            "-c",
            "while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; \(quoted) >/dev/null 2>&1; rm -rf '\(directory.path)'",
        ]
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        try watchdog.run()
    }

    /// Stops the server at once and removes its directory.
    public func stop() {
        _ = try? Self.run("pg_ctl", ["stop", "-D", dataDirectory.path, "-m", "immediate", "-w"], in: binDirectory, as: runAs)
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs one of PostgreSQL's programs from `binDirectory`, as the user `runAs` when set.
    private static func run(
        _ program: String, _ arguments: [String], in binDirectory: URL, as runAs: String?
    ) throws -> (status: Int32, output: String) {
        let path = binDirectory.appendingPathComponent(program).path
        if let runAs { return try Command.run(["runuser", "-u", runAs, "--", path] + arguments) }
        return try Command.run([path] + arguments)
    }

    /// Where `initdb` and `pg_ctl` are: `AGENT_HOST_PG_BIN`, the PATH, or Debian's
    /// `/usr/lib/postgresql/<version>/bin` (newest first), which is not on the PATH.
    private static func findBinDirectory() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let override = environment["AGENT_HOST_PG_BIN"] { candidates.append(override) }
        candidates += (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let debian = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: debian)) ?? []
        candidates += versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "\(debian)/\($0)/bin" }
        for candidate in candidates {
            let initdb = URL(fileURLWithPath: candidate).appendingPathComponent("initdb")
            guard FileManager.default.isExecutableFile(atPath: initdb.path) else { continue }
            // A PATH entry may hold a symlink into Debian's directory, where createdb lives too.
            let directory = initdb.resolvingSymlinksInPath().deletingLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("pg_ctl").path) { return directory }
        }
        throw TestFailure(
            "PostgreSQL is not installed: no initdb/pg_ctl in AGENT_HOST_PG_BIN, on the PATH or under /usr/lib/postgresql/*/bin. "
                + "Install Debian's postgresql package (.ci/run does) to run the PostgreSQL tests."
        )
    }

    /// A port nothing listens on now: bind port 0 on loopback, read it, let it go.
    private static func freeLoopbackPort() throws -> Int {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw TestFailure("socket() failed") }
        defer { close(socketDescriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(socketDescriptor, address, length) == 0 && getsockname(socketDescriptor, address, &length) == 0
            }
        }
        guard bound else { throw TestFailure("could not bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
