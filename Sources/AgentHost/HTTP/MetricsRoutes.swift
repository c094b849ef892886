import Foundation
import Hummingbird
import NIOCore

/// `GET /healthz` and `GET /metrics` (Prometheus text format), unauthenticated.
struct MetricsRoutes {
    let sessions: SessionDirectory

    func register(on router: Router<HostRequestContext>) {
        router.get("/healthz") { _, _ in try Response.json(["status": "ok"]) }
        router.get("/metrics") { _, _ in
            let lines = [
                "# HELP process_resident_memory_bytes Resident memory size in bytes.",
                "# TYPE process_resident_memory_bytes gauge",
                "process_resident_memory_bytes \(ProcessMemory.residentBytes())",
                "# HELP agent_host_live_sessions Sessions currently held in memory.",
                "# TYPE agent_host_live_sessions gauge",
                "agent_host_live_sessions \(await sessions.liveCount)",
            ]
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: lines.joined(separator: "\n") + "\n"))
            )
        }
    }
}

enum ProcessMemory {
    /// Resident set size from /proc/self/statm (pages × page size); 0 if unreadable.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
