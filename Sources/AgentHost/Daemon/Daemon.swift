import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// The assembled daemon: storage, plugins, sessions, auth and the HTTP server,
/// run as one `ServiceGroup` that stops cleanly on SIGINT/SIGTERM.
public struct Daemon: Sendable {
    public let configuration: DaemonConfiguration
    let logger: Logger
    let observability: DaemonObservability

    /// - Parameters:
    ///   - observability: the metrics registry and span exporter the executable bootstrapped
    ///     (`DaemonObservability.bootstrap`); by default a private registry and no tracing.
    public init(
        configuration: DaemonConfiguration, logger: Logger = Logger(label: "agent-host"),
        observability: DaemonObservability = DaemonObservability()
    ) {
        self.configuration = configuration
        self.logger = logger
        self.observability = observability
    }

    public func run() async throws {
        let fileManager = FileManager.default
        for directory in [configuration.dataDirectory, configuration.pluginsDirectory, configuration.storeDirectory] {
            try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let environment = configuration.environment
        if let files = FileDescriptorLimit.raiseToHard() {
            logger.info("open-file limit", metadata: ["before": "\(files.before)", "now": "\(files.after)"])
            if files.after < UInt64(configuration.connectionLimits.maxConnections) {
                logger.warning("the open-file limit is below --max-connections: connections past it fail to open", metadata: [
                    "openFiles": "\(files.after)", "maxConnections": "\(configuration.connectionLimits.maxConnections)",
                ])
            }
        }
        let secretKey = try SecretKey.load(environment: environment, dataDirectory: configuration.dataDirectory)
        let minter = await TokenMinter(secretKey: secretKey)
        let opened = try await configuration.openStorage(logger: logger)
        let storage = opened.storage
        let turns = TurnTable()
        let metrics = HostMetrics(registry: observability.registry)
        let registry = PluginRegistry(
            storeDirectory: configuration.storeDirectory, journalPath: configuration.loadJournalPath, logger: logger,
            turns: turns, isolation: configuration.isolation,
            workerExecutable: configuration.workerExecutable, workerMemoryLimitBytes: configuration.workerMemoryLimitBytes,
            workerLoadTimeout: configuration.workerLoadTimeout, shutdownDeadline: configuration.pluginShutdownTimeout,
            drainTimeout: configuration.drainTimeout, metrics: metrics, catalog: opened.catalog,
            fetchDirectory: configuration.fetchDirectory
        )
        var models = ModelCatalog(environment: environment, logger: logger)
        models.metrics = metrics
        let files = DirectoryFileStore(directory: configuration.filesDirectory)
        let subAgents = SubAgentCalls(limits: configuration.subAgentLimits, storage: storage)
        var services = SessionServices(
            storage: storage, writer: LogWriter(storage: storage, metrics: metrics), registry: registry, models: models,
            turns: turns, logger: logger, recoveryBudget: configuration.recoveryBudget, limits: configuration.runLimits,
            readerBufferBytes: configuration.readerBufferBytes, files: files, subAgents: subAgents,
            inputLimits: configuration.inputLimits, metrics: metrics
        )
        services.cluster = opened.cluster
        let sessions = SessionDirectory(services: services)
        // A broken lock connection: another daemon may take this one's sessions at once.
        await opened.cluster?.ownership.onConnectionLost { await sessions.ownershipLost() }
        // Every daemon's change feed hears the whole cluster's sessions.
        if let cluster = opened.cluster {
            sessions.changes.forwardChanges { chatId, changes in
                Task { await cluster.announceChanges(chatId, changes.sorted().map(\.rawValue)) }
            }
        }
        // On a shared database: hear the other daemons, and take over the sessions of dead ones.
        let clusterServices: [any Service] = opened.cluster.map {
            [ClusterListener(cluster: $0, sessions: sessions, registry: registry), ClusterTakeover(cluster: $0, sessions: sessions)]
        } ?? []
        subAgents.bind(sessions)
        let watcher = PluginWatcher(directory: configuration.pluginsDirectory, registry: registry, logger: logger)
        // The server listens before the builds load (the watcher loads them, then
        // `DaemonStartup` resumes interrupted sessions): a build that hangs or
        // kills the process in `dlopen` must not keep the daemon from answering.
        registry.startup.begin()
        let startup = DaemonStartup(registry: registry, sessions: sessions, logger: logger)
        let evictor = SessionEvictor(sessions: sessions, idleTimeout: configuration.idleTimeout, logger: logger)

        let playgroundPass = PlaygroundPass()
        let router = HTTPRouter.build(
            sessions: sessions, registry: registry, storage: storage,
            auth: Authenticator(secretKey: secretKey, minter: minter), environment: environment,
            playgroundPass: playgroundPass, tokenRefresh: configuration.tokenRefresh, files: files, uploads: configuration.uploads,
            traced: observability.tracesExported
        )

        let banner = StartupBanner(
            configuration: configuration, secretKey: secretKey, playgroundPass: playgroundPass, models: models, database: opened.location
        )
        let app = Application(
            router: router,
            server: .guardedHTTP1(configuration.connectionLimits),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "agent-host"),
            services: [watcher, startup, evictor] + clusterServices,
            onServerRunning: { channel in banner.print(port: channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
        // The reader shutdown runs beside the application, not inside it: a group
        // shuts its services down last-first, and the application's own group
        // stops its server first, which waits for every open response — an SSE
        // stream never ends by itself. Here the readers go first, then the app.
        var groupConfiguration = ServiceGroupConfiguration(
            // The span exporter first: a group stops last-first, so it flushes the spans of everything after it.
            services: [observability.tracing].compactMap { $0 } + [app, GracefulShutdown(sessions: sessions, grace: configuration.shutdownGrace, logger: logger)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        )
        // Past the turns' grace, readers get what they were sent; one whose socket
        // takes nothing must not hold the exit: the group then cancels what is left.
        groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownGrace + GracefulShutdown.readerFlushLimit
        let group = ServiceGroup(configuration: groupConfiguration)
        do {
            try await group.run()
        } catch is CancellationError {
            // A service cut short by the shutdown it was asked for: a clean exit.
        } catch {
            await opened.close()
            throw error
        }
        await opened.close()
    }
}

/// What the operator needs at start-up: where to connect, how to authenticate,
/// which model answers.
struct StartupBanner: Sendable {
    let configuration: DaemonConfiguration
    let secretKey: SecretKey
    let playgroundPass: PlaygroundPass
    let models: ModelCatalog
    /// Where sessions live: the SQLite file, or the PostgreSQL URL without its password.
    let database: String

    func print(port: Int) {
        var lines = [
            "agent-host listening on http://\(configuration.host):\(port)",
            "  playground: \(playgroundURL(port: port))#pass=\(playgroundPass.value) (this link opens it; the pass changes at every start)",
            "  data:    \(configuration.dataDirectory)",
            "  database: \(database)",
            "  plugins: \(configuration.pluginsDirectory) (drop .so files here; they load without a restart)",
            "  \(models.banner)",
        ]
        if secretKey.source == "AGENT_HOST_SECRET_KEY" {
            lines.append("  secret key: from AGENT_HOST_SECRET_KEY")
        } else {
            lines.append("  secret key: stored in \(secretKey.source) (mode 0600); read it with: cat \(secretKey.source)")
        }
        // Written straight to fd 1: scripts and tests read the port from it while the daemon runs.
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    /// Where to open the playground. A wildcard listen address is not a place a
    /// browser can go, and the no-set-up path needs a loopback URL anyway.
    func playgroundURL(port: Int) -> String {
        let host = configuration.host
        let local = ["0.0.0.0", "::", "[::]", ""].contains(host) ? "127.0.0.1" : host
        let bracketed = local.contains(":") && !local.hasPrefix("[") ? "[\(local)]" : local
        return "http://\(bracketed):\(port)/"
    }
}
