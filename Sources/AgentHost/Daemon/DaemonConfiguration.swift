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
    }

    var databasePath: String { "\(dataDirectory)/agent-host.sqlite" }
    var storeDirectory: String { "\(dataDirectory)/store" }
    var loadJournalPath: String { "\(dataDirectory)/\(LoadJournal.fileName)" }
}
