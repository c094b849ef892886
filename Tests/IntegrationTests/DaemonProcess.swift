import AgentWire
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The real `agent-host` binary, started on a fresh data directory with a free
/// port, exactly as a user would run it.
final class DaemonProcess: @unchecked Sendable {
    // @unchecked: tests drive one daemon from one task at a time.
    let dataDirectory: URL
    let pluginsDirectory: URL
    let process = Process()
    private let output = Pipe()
    private(set) var baseURL = ""
    private(set) var secretKey = ""
    /// What the daemon printed up to its start-up banner.
    private(set) var log = ""

    /// Where `swift build` put the binaries: next to this test bundle.
    static var binDirectory: URL {
        if let override = ProcessInfo.processInfo.environment["AGENT_HOST_BIN_DIR"] {
            return URL(fileURLWithPath: override)
        }
        return URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }

    static var myChatPlugin: URL { binDirectory.appendingPathComponent("libMyChat.so") }

    init(plugins: [URL] = [DaemonProcess.myChatPlugin], environment: [String: String] = [:]) throws {
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("agent-host-test-\(UUID().uuidString)")
        pluginsDirectory = dataDirectory.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: pluginsDirectory, withIntermediateDirectories: true)
        for plugin in plugins {
            try FileManager.default.copyItem(at: plugin, to: pluginsDirectory.appendingPathComponent(plugin.lastPathComponent))
        }
        process.executableURL = Self.binDirectory.appendingPathComponent("agent-host")
        process.arguments = ["serve", "--data", dataDirectory.path, "--port", "0"]
        var env = ProcessInfo.processInfo.environment
        env["AGENT_HOST_SECRET_KEY"] = nil
        env["AGENT_HOST_MODEL"] = nil
        env["AGENT_HOST_SCRIPTED_DELAY_MS"] = "5"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = output
        process.standardError = output
    }

    /// Starts the daemon and waits for its banner line with the port.
    func start() throws {
        try process.run()
        let handle = output.fileHandleForReading
        let deadline = Date().addingTimeInterval(30)
        while baseURL.isEmpty {
            guard Date() < deadline, process.isRunning else {
                throw DaemonError.failedToStart(log)
            }
            let chunk = handle.availableData
            if chunk.isEmpty { continue }
            log += String(decoding: chunk, as: UTF8.self)
            if let line = log.split(separator: "\n").first(where: { $0.hasPrefix("agent-host listening on ") }) {
                baseURL = String(line.dropFirst("agent-host listening on ".count))
            }
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

    func stop() {
        output.fileHandleForReading.readabilityHandler = nil
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    deinit { stop() }

    enum DaemonError: Error, CustomStringConvertible {
        case failedToStart(String)
        var description: String {
            switch self {
            case .failedToStart(let log): "daemon did not start; output:\n\(log)"
            }
        }
    }
}
