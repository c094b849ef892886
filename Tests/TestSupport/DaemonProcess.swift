import AgentHostClient
import AgentWire
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The real `agent-host` binary, started on a fresh data directory with a free
/// port, exactly as a user would run it.
public final class DaemonProcess: @unchecked Sendable {
    // @unchecked: tests drive one daemon from one task at a time.
    /// The daemon's `--data` directory, removed by ``stop()``.
    public let dataDirectory: URL
    /// Its plugins drop directory.
    public let pluginsDirectory: URL
    public private(set) var process = Process()
    private var output = Pipe()
    private let arguments: [String]
    private let environment: [String: String]
    /// `http://127.0.0.1:<port>` once started.
    public private(set) var baseURL = ""
    /// The daemon's secret key once started.
    public private(set) var secretKey = ""
    /// The playground link of the start-up banner, with this run's pass (`…/#pass=pp_…`).
    public private(set) var playgroundURL = ""
    /// This run's playground pass, from the banner's link.
    public var playgroundPass: String {
        playgroundURL.range(of: "#pass=").map { String(playgroundURL[$0.upperBound...]) } ?? ""
    }
    /// The port it listens on (from `baseURL`), for raw-socket clients; nil before it started.
    public var port: Int? { URL(string: baseURL)?.port }
    /// What the daemon printed up to its start-up banner.
    public private(set) var log = ""

    /// Where `swift build` put the binaries: next to this test bundle.
    public static var binDirectory: URL {
        if let override = ProcessInfo.processInfo.environment["AGENT_HOST_BIN_DIR"] {
            return URL(fileURLWithPath: override)
        }
        return URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// The `my-chat` plugin build.
    public static var myChatPlugin: URL { plugin("MyChat") }

    /// A plugin product of this package, by name.
    /// - Parameters:
    ///   - product: The product, e.g. `ToolsDemo`.
    public static func plugin(_ product: String) -> URL { binDirectory.appendingPathComponent("lib\(product).so") }

    /// Puts bytes into the drop directory the way any tool would (temp file +
    /// rename), bypassing `agent-host deploy`'s own checks.
    public func drop(_ bytes: Data, as name: String, permissions: Int = 0o644) throws {
        let temporary = pluginsDirectory.appendingPathComponent(".\(name).tmp")
        try bytes.write(to: temporary)
        try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: temporary.path)
        guard rename(temporary.path, pluginsDirectory.appendingPathComponent(name).path) == 0 else {
            throw TestFailure("rename into the drop directory failed")
        }
    }

    /// Deploys `file` the way a user does (`agent-host deploy`), under `name`.
    /// `variant` appends bytes after the ELF image: a byte-different, equally
    /// loadable build, i.e. a new generation.
    public func deploy(_ file: URL, as name: String? = nil, variant: String? = nil) throws {
        let staging = dataDirectory.appendingPathComponent("staging-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        let copy = staging.appendingPathComponent(name ?? file.lastPathComponent)
        var bytes = try Data(contentsOf: file)
        if let variant { bytes.append(Data("agent-host test build \(variant)".utf8)) }
        try bytes.write(to: copy)
        let deploy = Process()
        deploy.executableURL = Self.binDirectory.appendingPathComponent("agent-host")
        deploy.arguments = ["deploy", copy.path, "--plugins", pluginsDirectory.path]
        deploy.standardOutput = FileHandle.nullDevice
        try deploy.run()
        deploy.waitUntilExit()
        guard deploy.terminationStatus == 0 else { throw TestFailure("deploy of \(copy.lastPathComponent) failed") }
    }

    /// Prepares a fresh data directory holding `plugins`; ``start()`` runs the daemon.
    /// - Parameters:
    ///   - plugins: Plugin builds copied into the drop directory first.
    ///   - environment: Variables set for the daemon (on top of the test's, minus key and model).
    ///   - arguments: Extra `serve` arguments.
    public init(plugins: [URL] = [DaemonProcess.myChatPlugin], environment: [String: String] = [:], arguments: [String] = []) throws {
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("agent-host-test-\(UUID().uuidString)")
        pluginsDirectory = dataDirectory.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: pluginsDirectory, withIntermediateDirectories: true)
        for plugin in plugins {
            try FileManager.default.copyItem(at: plugin, to: pluginsDirectory.appendingPathComponent(plugin.lastPathComponent))
        }
        self.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["AGENT_HOST_SECRET_KEY"] = nil
        env["AGENT_HOST_MODEL"] = nil
        env["AGENT_HOST_SCRIPTED_DELAY_MS"] = "5"
        for (key, value) in environment { env[key] = value }
        self.environment = env
    }

    /// Starts the daemon and waits for its banner line with the port and, unless
    /// told otherwise, for the line saying the plugins present at start are
    /// loaded (the daemon listens before it loads them).
    /// - Parameters:
    ///   - waitingForPlugins: false returns as soon as the daemon listens.
    public func start(waitingForPlugins: Bool = true) throws {
        try launch()
        let handle = output.fileHandleForReading
        let deadline = Date().addingTimeInterval(30)
        var pluginsLoaded = !waitingForPlugins
        while baseURL.isEmpty || !pluginsLoaded {
            guard Date() < deadline, process.isRunning else {
                throw DaemonError.failedToStart(log)
            }
            let chunk = handle.availableData
            if chunk.isEmpty { continue }
            log += String(decoding: chunk, as: UTF8.self)
            let lines = log.split(separator: "\n")
            if let line = lines.first(where: { $0.hasPrefix("agent-host listening on ") }) {
                baseURL = String(line.dropFirst("agent-host listening on ".count))
            }
            if let line = lines.first(where: { $0.hasPrefix("  playground: ") }) {
                playgroundURL = String(line.dropFirst("  playground: ".count).prefix { $0 != " " })
            }
            pluginsLoaded = pluginsLoaded || lines.contains { $0.hasPrefix("agent-host plugins loaded") }
        }
        if let fromEnvironment = process.environment?["AGENT_HOST_SECRET_KEY"] {
            secretKey = fromEnvironment
        } else {
            let keyFile = dataDirectory.appendingPathComponent("secret-key")
            secretKey = try String(contentsOf: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // Keep draining output so the daemon never blocks on a full pipe.
        handle.readabilityHandler = { handle in _ = handle.availableData }
    }

    /// Runs the daemon on its data directory until it exits by itself, e.g.
    /// because a plugin killed it while loading.
    /// - Returns: how it ended, and everything it printed.
    public func runUntilExit() throws -> (reason: Process.TerminationReason, status: Int32, log: String) {
        try launch()
        // A daemon that does not exit is killed after a generous while, so a
        // broken test fails on the reason instead of hanging the suite.
        let process = process
        DispatchQueue.global().asyncAfter(deadline: .now() + 120) {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        log = String(decoding: printed, as: UTF8.self)
        return (process.terminationReason, process.terminationStatus, log)
    }

    private func launch() throws {
        process = Process()
        output = Pipe()
        baseURL = ""
        log = ""
        process.executableURL = Self.binDirectory.appendingPathComponent("agent-host")
        process.arguments = ["serve", "--data", dataDirectory.path, "--port", "0"] + arguments
        process.environment = environment
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    /// SIGKILL: no shutdown path runs, as in a crash.
    public func kill9() {
        output.fileHandleForReading.readabilityHandler = nil
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Kills the daemon and starts it again on the same data directory.
    public func crashAndRestart() throws {
        kill9()
        try start()
    }

    /// Kills the daemon and removes its data directory.
    public func stop() {
        kill9()
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    deinit { stop() }

    /// A client for the running daemon holding its secret key; ask again after a restart (the port changes).
    public var client: AgentHostClient { AgentHostClient(baseURL: baseURL, token: secretKey) }

    public enum DaemonError: Error, CustomStringConvertible {
        case failedToStart(String)
        public var description: String {
            switch self {
            case .failedToStart(let log): "daemon did not start; output:\n\(log)"
            }
        }
    }
}
