import AgentKit
import Foundation

/// The demo's stand-in for your own database: the events the hooks record,
/// one JSON line each, appended to the file `HOOKS_DEMO_STORE` names (kept in
/// memory when it is not set).
actor ChatStore {
    static let shared = ChatStore(path: ProcessInfo.processInfo.environment["HOOKS_DEMO_STORE"])

    private let path: String?
    private(set) var records: [JSONValue] = []

    init(path: String?) {
        self.path = path
    }

    /// Keeps one event; with a file, appends it as a line (`O_APPEND`: whole lines
    /// even when the daemon and a worker process write at once).
    func record(_ fields: [String: JSONValue]) {
        let record = JSONValue.object(fields)
        records.append(record)
        guard let path else { return }
        let line = record.jsonText + "\n"
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { return }
        _ = line.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }
}
