import AgentHost
import ArgumentParser
import Foundation

@main
struct AgentHostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent-host",
        abstract: "Host durable, multi-turn AI chat agents built as .so plugins.",
        subcommands: [Serve.self, Dev.self, Deploy.self, Rollback.self, Token.self, Chat.self, Agents.self, Sessions.self, Bench.self, Worker.self]
    )
}

/// Where the daemon keeps its data; shared by commands that read the secret key.
struct DataOptions: ParsableArguments {
    @Option(help: "Data directory (SQLite file, secret key, plugin store).")
    var data: String = "./.agent-host"
}

/// Where the daemon listens; shared by `serve` and `dev`.
struct ListenOptions: ParsableArguments {
    @Option(help: "Port to listen on; 0 picks a free one.")
    var port: Int = 8787

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the daemon.")

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Plugins drop directory (default: <data>/plugins).")
    var plugins: String?

    @OptionGroup var listen: ListenOptions

    @Option(help: "Seconds without activity after which a session leaves memory (it is rebuilt from disk on use).")
    var idleTimeout: Double = 300

    @Option(help: "Seconds that running turns may go on after SIGTERM or SIGINT before the daemon stops (a turn still running then resumes on the next start). 0: stop at once.")
    var shutdownGrace: Double = 10

    @OptionGroup var isolationOptions: IsolationOptions

    @OptionGroup var clientLimitOptions: ClientLimitOptions

    @OptionGroup var observabilityOptions: ObservabilityOptions
    @OptionGroup var databaseOptions: DatabaseOptions

    @Option(help: "Largest file a session upload may be, in bytes (default: 20 MiB).")
    var maxUploadBytes: Int = UploadPolicy.defaultMaximumBytes

    @Option(help: ArgumentHelp(
        "Media types a session upload may have, comma-separated; replaces the default list.",
        discussion: "Default: \(UploadPolicy.defaultMediaTypes.sorted().joined(separator: ","))"
    ))
    var uploadTypes: String?

    func run() async throws {
        guard idleTimeout > 0 else { throw ValidationError("--idle-timeout must be positive") }
        guard maxUploadBytes > 0 else { throw ValidationError("--max-upload-bytes must be positive") }
        guard shutdownGrace >= 0 else { throw ValidationError("--shutdown-grace must not be negative") }
        var configuration = DaemonConfiguration(
            dataDirectory: dataOptions.data, pluginsDirectory: plugins, host: listen.host, port: listen.port,
            idleTimeout: .milliseconds(Int64(idleTimeout * 1000))
        )
        configuration.shutdownGrace = .milliseconds(Int64(shutdownGrace * 1000))
        try isolationOptions.apply(to: &configuration)
        try clientLimitOptions.apply(to: &configuration)
        try databaseOptions.apply(to: &configuration)
        configuration.uploads.maximumBytes = maxUploadBytes
        if let uploadTypes {
            let types = uploadTypes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard !types.isEmpty, types.allSatisfy({ $0.contains("/") }) else {
                throw ValidationError("--upload-types takes media types such as image/png,application/pdf")
            }
            configuration.uploads.mediaTypes = Set(types)
        }
        try await Daemon(configuration: configuration, observability: try observabilityOptions.bootstrap()).run()
    }
}

struct Deploy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drop a plugin build into the plugins directory atomically (temp file + rename), or publish it to a cluster.",
        discussion: "With --database the build goes to the cluster's PostgreSQL database instead: every daemon on it loads it and makes it active."
    )

    @Argument(help: "The plugin .so to deploy.")
    var file: String

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Plugins drop directory (default: <data>/plugins).")
    var plugins: String?

    @OptionGroup var cluster: ClusterDatabaseOption

    func run() async throws {
        if let storage = try await cluster.connect() {
            let build = try await storage.closing { try await PluginDeployer.publish(file: file, to: $0) }
            print("published \(file) as \(build.fileName) (sha256 \(build.sha256)); every daemon on the database loads it")
            return
        }
        let directory = plugins ?? "\(dataOptions.data)/plugins"
        let destination = try PluginDeployer.deploy(file: file, into: directory)
        print("deployed \(file) → \(destination)")
    }
}

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Mint a public token scoped to one session.")

    @Option(help: "The chat id the token may read and write.")
    var chat: String

    @Option(help: "Lifetime, e.g. 15m, 1h, 7d.")
    var ttl: String = "1h"

    @Flag(help: "Read scope only.")
    var readOnly = false

    @OptionGroup var dataOptions: DataOptions

    func run() async throws {
        guard let lifetime = TokenLifetime.parse(ttl) else {
            throw ValidationError("--ttl must look like 30s, 15m, 1h or 7d (at most 30d)")
        }
        let key = try SecretKey.load(environment: ProcessInfo.processInfo.environment, dataDirectory: dataOptions.data)
        let minter = await TokenMinter(secretKey: key)
        let scopes = TokenScopes(read: [chat], write: readOnly ? [] : [chat])
        print(try await minter.mint(scopes: scopes, ttl: lifetime))
    }
}
