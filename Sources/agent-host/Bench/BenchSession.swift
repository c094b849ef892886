import AgentHostClient
import AgentWire
import Foundation

/// One session the bench drives: created with the secret key, then spoken to
/// with its own token, as a browser would.
struct BenchSession: Sendable {
    let chatId: String
    let client: AgentHostClient

    /// Creates the session `chatId` of `agent`.
    static func create(_ chatId: String, agent: String, client: AgentHostClient) async throws -> BenchSession {
        let created = try await client.createSession(chatId, agent: agent)
        return BenchSession(chatId: chatId, client: client.using(token: created.publicAccessToken))
    }

    /// Sends a user message; returns its seq. No idempotency key: the bench measures the plain path.
    func send(_ text: String) async throws -> Int64 {
        try await client.send(message: .text(text, role: "user", id: UUID().uuidString), chatId: chatId, idempotencyKey: nil)
    }

    /// Sends `text` and reads `events` (this session's open stream) until that
    /// turn completes; returns the time from sending to the turn's first chunk.
    func turn(_ text: String, reading events: inout SessionOutput.Iterator) async throws -> Duration? {
        let clock = ContinuousClock()
        let start = clock.now
        let seq = try await send(text)
        var first: Duration?
        while let event = try await events.next() {
            if first == nil, event.id > seq { first = start.duration(to: clock.now) }
            if event.completesTurn { break }
        }
        return first
    }

    /// The session's output stream from its start, or after seq `lastSeq`.
    func output(after lastSeq: Int64? = nil) async throws -> SessionOutput {
        try await client.output(chatId, after: lastSeq)
    }
}

extension AgentHostClient {
    /// The daemon's resident memory, from its Prometheus endpoint.
    func residentBytes() async throws -> Int {
        Int(try await metric("process_resident_memory_bytes") ?? 0)
    }

    /// The CPU time so far (user + system) of the daemon, from its Prometheus
    /// endpoint, and of its live plugin workers, from `/proc` (the bench runs on
    /// the daemon's machine): with isolated plugins a turn's cost is split.
    func cpuSeconds() async throws -> Double {
        let daemon = try await metric("process_cpu_seconds_total") ?? 0
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let workers = try await workerRuntimes().reduce(0.0) { total, worker in
            // Fields 14 and 15 of /proc/<pid>/stat, counted after the `(comm)` field, which may hold spaces.
            guard let pid = worker.pid, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")")
            else { return total }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return total }
            return total + (user + system) / ticks
        }
        return daemon + workers
    }

    /// The resident memory of the daemon and of its live plugin workers.
    func residentBytesWithWorkers() async throws -> Int {
        let workers = try await workerRuntimes().reduce(0) { $0 + ($1.residentBytes ?? 0) }
        return try await residentBytes() + workers
    }

    /// How each active build runs, from `GET /api/v1/agents`: its isolation, and
    /// for a worker its pid and resident memory.
    func workerRuntimes() async throws -> [(agent: String, isolation: String, pid: Int32?, residentBytes: Int?)] {
        let agents = try await agents().json?["agents"]?.arrayValue ?? []
        return agents.flatMap { agent -> [(agent: String, isolation: String, pid: Int32?, residentBytes: Int?)] in
            (agent["generations"]?.arrayValue ?? []).compactMap { generation in
                guard let runtime = generation["runtime"] else { return nil }
                return (
                    agent["id"]?.stringValue ?? "", runtime["isolation"]?.stringValue ?? "?",
                    runtime["workerPid"]?.doubleValue.map { Int32($0) }, runtime["workerMemoryBytes"]?.doubleValue.map { Int($0) }
                )
            }
        }
    }

    /// One sample from the daemon's Prometheus endpoint.
    func metric(_ name: String) async throws -> Double? {
        let metrics = try await request(.GET, "/metrics").body
        let line = metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Double($0.split(separator: " ")[1]) }
    }
}

extension StreamEvent {
    /// Whether the record closes a turn.
    var completesTurn: Bool {
        if case .turnComplete = control { return true }
        return false
    }
}
