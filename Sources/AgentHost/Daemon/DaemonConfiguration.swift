import Foundation

/// Everything `agent-host serve` needs to start.
public struct DaemonConfiguration: Sendable {
    public var dataDirectory: String
    public var pluginsDirectory: String
    public var host: String
    /// 0 picks a free port; the banner prints the real one.
    public var port: Int
    public var environment: [String: String]
    /// Sessions without activity for this long leave memory; their log stays.
    public var idleTimeout: Duration
    /// Which plugins run in worker processes (README, "Isolation").
    public var isolation: IsolationPolicy
    /// The binary a worker runs: this one, in `worker` mode.
    public var workerExecutable = "/proc/self/exe"
    /// A worker whose resident memory passes this is killed; nil: no limit.
    public var workerMemoryLimitBytes: Int? = 1024 * 1024 * 1024
    /// How often a turn may be cut off and resumed before it ends with an error.
    public var recoveryBudget = 3
    /// A worker that has not loaded its plugin by then is killed and the build refused.
    public var workerLoadTimeout: Duration = .seconds(30)
    /// How long a retiring build's `shutdown` may take.
    public var pluginShutdownTimeout: Duration = .seconds(10)
    /// How long a turn and a tool call may run (README, "Run limits").
    public var runLimits = RunLimits()
    /// How deep and how wide delegation to sub-agents may go (README, "Sub-agents").
    public var subAgentLimits = SubAgentLimits()
    /// How long a superseded generation may drain before its turns move to the active build, or end.
    public var drainTimeout: Duration = .seconds(60)
    /// At SIGTERM/SIGINT: how long running turns may go on before the daemon stops (`GracefulShutdown`).
    public var shutdownGrace: Duration = .seconds(10)
    /// How far a live stream reader may fall behind before it is dropped (`LiveBuffer`).
    public var readerBufferBytes = LiveBufferLimit.defaultKiB * 1024
    /// When a reader's public token is refreshed in band (`data-token` on `/out`).
    public var tokenRefresh = TokenRefreshPolicy()
    /// What `POST /realtime/v1/sessions/{chatId}/files` takes (README, "Attachments").
    public var uploads = UploadPolicy()
    /// Read deadlines and the connection limit (README, "Limits: connections").
    public var connectionLimits = ConnectionLimits()
    /// The queue cap and the input size limit (README, "Limits: inputs").
    public var inputLimits = InputLimits()
    /// Where sessions and logs live: a `postgres://` URL (README, "Running on
    /// PostgreSQL"), or nil for the SQLite file in the data directory. Defaults
    /// to `AGENT_HOST_DATABASE_URL`; `--database` overrides it.
    public var databaseURL: String?
    /// On a shared PostgreSQL database: how often a daemon looks for sessions
    /// whose owner died, and takes them over (README, "Several daemons").
    public var takeoverInterval: Duration = .seconds(2)
    /// On a shared database: how long a write relayed to a session's owner waits for its answer.
    public var relayTimeout: Duration = .seconds(30)

    public init(dataDirectory: String, pluginsDirectory: String?, host: String, port: Int,
                idleTimeout: Duration = .seconds(300),
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.idleTimeout = idleTimeout
        let data = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        self.dataDirectory = data
        self.pluginsDirectory = pluginsDirectory.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? "\(data)/plugins"
        self.host = host
        self.port = port
        self.environment = environment
        let mode = environment["AGENT_HOST_ISOLATION"].flatMap(PluginIsolation.init(rawValue:)) ?? .worker
        self.isolation = IsolationPolicy(defaultMode: mode)
        self.databaseURL = environment[Self.databaseURLEnvironmentKey].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The environment variable that names the database when `--database` does not.
    public static let databaseURLEnvironmentKey = "AGENT_HOST_DATABASE_URL"

    var databasePath: String { "\(dataDirectory)/agent-host.sqlite" }
    var storeDirectory: String { "\(dataDirectory)/store" }
    /// Where builds fetched from a shared catalog are written before they load (`PluginRegistry+Catalog`).
    var fetchDirectory: String { "\(dataDirectory)/fetched" }
    /// Files uploaded to sessions: `<data>/files/<session>/<sha256>`.
    var filesDirectory: String { "\(dataDirectory)/files" }
    var loadJournalPath: String { "\(dataDirectory)/\(LoadJournal.fileName)" }
}

extension DaemonConfiguration {
    /// Lets loopback browsers use the playground without its pass or the secret
    /// key, unless the environment already decides (`AGENT_HOST_PLAYGROUND_TRUST_LOOPBACK`).
    /// `agent-host dev` does this; `serve` does not.
    public mutating func trustPlaygroundLoopbackUnlessSet() {
        guard environment[PlaygroundAccess.environmentKey] == nil else { return }
        environment[PlaygroundAccess.environmentKey] = "1"
    }
}
