import Foundation
import Hummingbird
import NIOCore

/// `GET /healthz` and `GET /metrics` (Prometheus text format, rendered by
/// swift-prometheus from `HostMetrics`' registry), unauthenticated.
struct MetricsRoutes {
    let sessions: SessionDirectory
    /// `/healthz` says whether the start-up builds are still loading (`"plugins":"loading"`) or done (`"ready"`).
    let plugins: PluginStartup
    /// Its generations, for the per-agent generation gauges.
    let registry: PluginRegistry
    /// `/healthz` answers 503 while storage refuses writes (`"storage"` names the problem).
    let storage: any SessionStorage

    func register(on router: Router<HostRequestContext>) {
        router.get("/healthz") { _, _ in
            let health = Health(
                plugins: plugins.isLoading ? "loading" : "ready",
                storageProblem: await storage.writeProblem(),
                shuttingDown: sessions.shuttingDown.load(ordering: .relaxed)
            )
            return try Response.json(health, status: health.status == "ok" ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            let metrics = sessions.metrics
            // The gauges describe what the daemon holds now: read at scrape time, not kept up to date.
            let generations = await registry.snapshot().agents.flatMap(\.generations)
            metrics.recordState(sessionStatuses: await sessions.liveStatuses, generations: generations)
            var text: [UInt8] = []
            metrics.registry.emit(into: &text)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: text))
            )
        }
    }
}

/// `/healthz`: `{"status":"ok","plugins":"ready","storage":"ok"}`; 503 with
/// `"status":"unavailable"` and `"storage":{"code","message"}` while storage
/// refuses writes, or `"status":"shutting-down"` once a graceful shutdown began
/// (load balancers stop sending work here while running turns finish).
private struct Health: Encodable {
    struct Problem: Encodable {
        var code: String
        var message: String
    }

    let status: String
    let plugins: String
    let storageProblem: Problem?

    init(plugins: String, storageProblem: StorageProblem?, shuttingDown: Bool) {
        self.plugins = plugins
        self.storageProblem = storageProblem.map { Problem(code: $0.kind.rawValue, message: $0.message) }
        status = storageProblem != nil ? "unavailable" : shuttingDown ? "shutting-down" : "ok"
    }

    private enum CodingKeys: String, CodingKey {
        case status, plugins, storage
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(plugins, forKey: .plugins)
        if let storageProblem { try container.encode(storageProblem, forKey: .storage) } else { try container.encode("ok", forKey: .storage) }
    }
}

/// What the kernel says about this process, for `/metrics`.
enum ProcessMemory {
    /// User plus system CPU time from /proc/self/stat, in seconds; 0 if unreadable.
    static func cpuSeconds() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let end = text.lastIndex(of: ")")
        else { return 0 }
        // Fields after the command name: state is the 3rd field, utime the 14th, stime the 15th.
        let fields = text[text.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident set size from /proc/self/statm (pages × page size); 0 if unreadable.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
