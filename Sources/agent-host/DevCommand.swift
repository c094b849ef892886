import AgentHost
import ArgumentParser
import Foundation

/// `agent-host dev`: the edit-save-see loop. Builds the package's agent plugins
/// (its dynamic library products), serves them, and on every source change
/// rebuilds and deploys; running chats move to the new build.
struct Dev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the package's agent plugins, serve them, rebuild and hot-redeploy on source change."
    )

    @Option(help: "The Swift package with the agent plugins.")
    var package: String = "."

    @OptionGroup var dataOptions: DataOptions

    @OptionGroup var listen: ListenOptions

    @OptionGroup var isolationOptions: IsolationOptions

    @OptionGroup var clientLimitOptions: ClientLimitOptions

    @OptionGroup var observabilityOptions: ObservabilityOptions
    @OptionGroup var databaseOptions: DatabaseOptions

    @Option(help: "Seconds between checks for source changes.")
    var interval: Double = 1

    @Option(name: .customLong("product"), help: "Only these plugin products (repeatable); default: every dynamic library product.")
    var only: [String] = []

    func run() async throws {
        let root = URL(fileURLWithPath: package).standardizedFileURL.path
        let builder = try PluginBuilder(packageRoot: root, only: only)
        guard !builder.products.isEmpty else {
            throw ValidationError("\(root) has no dynamic library products to serve as plugins")
        }
        var settings = DaemonConfiguration(dataDirectory: dataOptions.data, pluginsDirectory: nil, host: listen.host, port: listen.port)
        try isolationOptions.apply(to: &settings)
        try clientLimitOptions.apply(to: &settings)
        try databaseOptions.apply(to: &settings)
        // The edit-save-see loop on the author's own machine: the playground opens
        // without its pass for browsers there (`serve` needs the pass or the key).
        settings.trustPlaygroundLoopbackUnlessSet()
        let configuration = settings
        let observability = try observabilityOptions.bootstrap()
        say("dev: plugins \(builder.products.joined(separator: ", ")) → \(configuration.pluginsDirectory)")
        try builder.buildAndDeploy(into: configuration.pluginsDirectory)

        let interval = interval
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await Daemon(configuration: configuration, observability: observability).run() }
            group.addTask {
                var fingerprint = builder.sourceFingerprint()
                while !Task.isCancelled {
                    try await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
                    let current = builder.sourceFingerprint()
                    guard current != fingerprint else { continue }
                    fingerprint = current
                    say("dev: sources changed, rebuilding")
                    do {
                        try builder.buildAndDeploy(into: configuration.pluginsDirectory)
                    } catch {
                        say("dev: build failed, still serving the previous build\n\(error)")
                    }
                }
            }
            // The daemon ends on SIGINT/SIGTERM; the watch loop ends with it.
            try await group.next()
            group.cancelAll()
        }
    }
}

/// Finds, builds and deploys a package's plugin products with `swift build`.
struct PluginBuilder: Sendable {
    let packageRoot: String
    let products: [String]
    let watchedDirectories: [String]

    init(packageRoot: String, only: [String] = []) throws {
        self.packageRoot = packageRoot
        let manifest = try Self.swift(["package", "dump-package"], in: packageRoot)
        guard let json = try JSONSerialization.jsonObject(with: Data(manifest.utf8)) as? [String: Any] else {
            throw ValidationError("cannot read the package manifest")
        }
        let products = (json["products"] as? [[String: Any]] ?? []).filter { product in
            let type = product["type"] as? [String: Any]
            return (type?["library"] as? [String])?.contains("dynamic") == true
        }
        self.products = products.compactMap { $0["name"] as? String }.filter { only.isEmpty || only.contains($0) }
        let targets = json["targets"] as? [[String: Any]] ?? []
        watchedDirectories = targets.map { target in
            let name = target["name"] as? String ?? ""
            let isTest = (target["type"] as? String) == "test"
            let path = (target["path"] as? String) ?? (isTest ? "Tests/\(name)" : "Sources/\(name)")
            return "\(packageRoot)/\(path)"
        }.filter { !$0.hasPrefix("\(packageRoot)/Tests") }
    }

    /// Changes whenever a source file is added, removed or saved.
    func sourceFingerprint() -> [String: Date] {
        var stamps: [String: Date] = [:]
        for directory in watchedDirectories {
            guard let files = FileManager.default.enumerator(atPath: directory) else { continue }
            for case let file as String in files {
                let path = "\(directory)/\(file)"
                stamps[path] = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
            }
        }
        return stamps
    }

    /// Builds every plugin product and deploys it; the daemon ignores a build
    /// whose bytes it already loaded, so unchanged plugins stay as they are.
    func buildAndDeploy(into pluginsDirectory: String) throws {
        for product in products {
            _ = try Self.swift(["build", "--product", product], in: packageRoot)
        }
        let binPath = try Self.swift(["build", "--show-bin-path"], in: packageRoot).trimmingCharacters(in: .whitespacesAndNewlines)
        for product in products {
            let destination = try PluginDeployer.deploy(file: "\(binPath)/lib\(product).so", into: pluginsDirectory)
            say("dev: deployed \(product) → \(destination)")
        }
    }

    struct BuildFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `swift …` and returns its standard output. Builds report errors on
    /// stdout; stderr (SwiftPM's lock and progress notes) is dropped, so the
    /// output of `dump-package` stays pure JSON.
    static func swift(_ arguments: [String], in directory: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw BuildFailure(description: "swift \(arguments.joined(separator: " ")) failed:\n\(text)")
        }
        return text
    }
}

/// Unbuffered status line: `dev` runs for hours and its output is often piped.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
