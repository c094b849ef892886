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
            let pluginPhase = plugins.isLoading ? "loading" : "ready"
            guard let problem = await storage.writeProblem() else {
                return try Response.json(["status": "ok", "plugins": pluginPhase, "storage": "ok"])
            }
            return try Response.json(
                HealthProblem(plugins: pluginPhase, storage: .init(code: problem.kind.rawValue, message: problem.message)),
                status: .serviceUnavailable
            )
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

/// `/healthz` while storage refuses writes: `{"status":"unavailable","plugins":…,"storage":{"code","message"}}`.
private struct HealthProblem: Encodable {
    struct Storage: Encodable {
        var code: String
        var message: String
    }

    var status = "unavailable"
    var plugins: String
    var storage: Storage
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
