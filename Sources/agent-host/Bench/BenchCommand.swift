import AgentHost
import AgentHostClient
import ArgumentParser
import AsyncHTTPClient
import Foundation

/// `agent-host bench`: load-tests a running daemon. Start the daemon with the
/// scripted model at zero delay (`AGENT_HOST_SCRIPTED_DELAY_MS=0`) and, for the
/// idle-memory figure, a short `--idle-timeout`.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure first-chunk latency, persisted chunks/s and memory per idle session of a running daemon."
    )

    @OptionGroup var connection: DaemonConnection

    @Option(help: "Agent to talk to.")
    var agent: String = "my-chat"

    @Option(help: "Concurrency levels for the first-chunk latency, comma separated.")
    var concurrency: String = "1,100,1000"

    @Option(help: "Turns per session at each concurrency level.")
    var turns: Int = 5

    @Option(help: "Milliseconds each session waits (uniformly random, up to this) before each turn; 0 sends all at once.")
    var spread: Int = 0

    @Option(help: "Sessions streaming `/slow N` at once for the throughput figure.")
    var throughputSessions: Int = 50

    @Option(help: "Words per `/slow` answer in the throughput run.")
    var words: Int = 2000

    @Option(help: "Sessions created for the idle-memory figure (0 skips it).")
    var idleSessions: Int = 10_000

    @Option(help: "Seconds to wait for idle sessions to be evicted (match the daemon's --idle-timeout).")
    var idleWait: Double = 5

    @Option(help: "Byte-different builds of --plugin-file to deploy for the deploy figures (0 skips them).")
    var deploys: Int = 10

    @Option(help: "The plugin build to deploy (its agent must be --agent).")
    var pluginFile: String = ".build/release/libMyChat.so"

    @Option(help: "The daemon's plugins drop directory (default: <data>/plugins).")
    var plugins: String?

    @Option(help: "Turns of one long session, sent one after another (0 skips the long-session run).")
    var longTurns: Int = 0

    @Option(help: "Turns per reported block of the long-session run.")
    var block: Int = 100

    @Option(help: "Turns of a session that is then left to be evicted and woken (0 skips the wake run; see --idle-wait).")
    var wakeTurns: Int = 0

    @Flag(help: "Run only the long-session and wake runs.")
    var longOnly = false

    @Option(help: "Requests for the request-floor figure: `POST …/in` records that start no turn, 20 sessions at once (0 skips it).")
    var floorRequests: Int = 2000

    @Option(help: "Run only the soak: this many seconds of mixed hostile load (stalled readers, slowloris sockets, input floods, big messages) while one healthy session's first-chunk latency and the daemon's RSS are measured.")
    var soak: Double?

    @Option(help: "Soak: SSE readers that never read, kept open (half replay a long log from seq 0, half follow a busy session).")
    var stalledReaders: Int = 20

    @Option(help: "Soak: slowloris connections that send a header line a second and never finish the request.")
    var idleSockets: Int = 100

    @Option(help: "Soak: inputs sent at once into one session every 2 s.")
    var burst: Int = 50

    @Option(help: "Soak: size in KB of the message sent every 2 s.")
    var bigMessageKb: Int = 256

    @Option(help: "Soak: seconds between table rows.")
    var reportEvery: Double = 5

    @Option(help: "Another daemon of the same PostgreSQL cluster (same secret key): adds the cluster figures — first chunk through a daemon that does not own the session, and chunks/s with both daemons streaming.")
    var peer: String?

    @Option(help: "With --peer: the process id of the --url daemon; the bench kills it (SIGKILL) mid-turn to time the peer's takeover. Last, as it ends that daemon.")
    var failoverPid: Int32?

    @Flag(help: "With --peer: run only the cluster figures.")
    var clusterOnly = false

    func run() async throws {
        // Sized for thousands of concurrent streams; the bench owns it and shuts it down.
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 4096)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        defer { Task { try? await http.shutdown() } }
        let client = AgentHostClient(baseURL: connection.url, token: try connection.secretKey(), http: http, timeout: .seconds(120))
        let run = "bench-\(UInt32.random(in: 0...UInt32.max))"
        print("agent-host bench against \(connection.url) (agent \(agent), run \(run))")
        for runtime in try await client.workerRuntimes() where runtime.agent == agent {
            let memory = runtime.residentBytes.map { String(format: ", worker RSS %.1f MB", Double($0) / 1e6) } ?? ""
            print("plugins: \(runtime.isolation)\(memory); CPU figures include the workers'")
        }

        if let soak {
            let load = SoakLoad(stalledReaders: stalledReaders, idleSockets: idleSockets, burst: burst, bigMessageBytes: bigMessageKb * 1024)
            try await self.soak(client: client, run: run, seconds: soak, load: load, reportEvery: max(1, reportEvery))
            return
        }
        if let peer {
            try await clusterFigures(client: client, peer: client.using(baseURL: peer), run: run)
            if clusterOnly { return }
        }
        if longTurns > 0 {
            print("long session, \(longTurns) turns of `hello`, one after another:")
            try await longSession(client: client, chatId: "\(run)-long", turns: longTurns, block: max(1, block)) { block in
                print(String(format: "  turns %5d–%5d: daemon CPU %.3f ms/turn, wall %.2f ms/turn, first chunk %@",
                             block.firstTurn, block.lastTurn, block.cpuPerTurn, block.wallPerTurn, block.firstChunk.description))
            }
        }
        if wakeTurns > 0 {
            let woken = try await wake(client: client, chatId: "\(run)-wake", turns: wakeTurns)
            let firstChunk = woken.firstChunk.map { String(format: "%.1f ms", $0.milliseconds) } ?? "none"
            print(String(format: "wake of a %d-turn session: %.1f ms asleep (live sessions %d → %d), %.1f ms in memory; "
                         + "first turn after it: first chunk %@, whole turn %.1f ms",
                         wakeTurns, woken.asleep.milliseconds, woken.live.0, woken.live.1, woken.awake.milliseconds,
                         firstChunk, woken.firstTurn.milliseconds))
        }
        if longOnly { return }
        if floorRequests > 0 {
            let perRequest = try await requestFloor(client: client, prefix: "\(run)-f", requests: floorRequests, sessions: 20)
            print("request floor, \(floorRequests) × `POST …/in` that start no turn, 20 sessions at once: daemon CPU \(String(format: "%.3f", perRequest)) ms/request")
        }
        for level in concurrency.split(separator: ",").compactMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) where level > 0 {
            let cpuBefore = try await client.cpuSeconds()
            let summary = try await firstChunkLatency(client: client, sessions: level, prefix: "\(run)-c\(level)")
            let cpuPerTurn = (try await client.cpuSeconds() - cpuBefore) * 1000 / Double(level * turns)
            let pacing = spread > 0 ? ", each turn after 0–\(spread) ms" : ", all at once"
            print("first chunk, \(level) concurrent session(s)\(pacing): \(summary); daemon CPU \(String(format: "%.2f", cpuPerTurn)) ms/turn")
        }
        let throughput = try await persistedThroughput(clients: [client], prefix: "\(run)-t")
        print(String(format: "persisted and streamed chunks/s: %.0f (%d chunks in %.2f s over %d sessions, each with an open stream)",
                     throughput.rate, throughput.chunks, throughput.seconds, throughputSessions))
        let unwatched = try await unwatchedThroughput(client: client, prefix: "\(run)-u")
        print(String(format: "persisted chunks/s, no subscribers: %.0f (%d records in %.2f s over %d sessions)",
                     unwatched.rate, unwatched.chunks, unwatched.seconds, throughputSessions))
        if deploys > 0 {
            let result = try await deployLatency(client: client)
            print("deploy → active: \(result.latency)")
            print(String(format: "memory per retained generation: %.0f KB (RSS of the daemon and its workers %.1f MB → %.1f MB over %d builds)",
                         (result.after - result.before) / Double(deploys) / 1024, result.before / 1e6, result.after / 1e6, deploys))
        }
        if idleSessions > 0 {
            let memory = try await idleMemory(client: client, prefix: "\(run)-i")
            print(String(format: "idle sessions: %d; RSS %.1f MB → %.1f MB with all in memory → %.1f MB after eviction; %.0f bytes per idle session",
                         idleSessions, memory.before / 1e6, memory.peak / 1e6, memory.after / 1e6, (memory.after - memory.before) / Double(idleSessions)))
        }
    }

    /// The `--peer` figures; the failover last (it kills the `--url` daemon).
    private func clusterFigures(client: AgentHostClient, peer: AgentHostClient, run: String) async throws {
        print("cluster: \(connection.url) and \(peer.baseURL) on one database")
        for level in concurrency.split(separator: ",").compactMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) where level > 0 {
            let summary = try await nonOwnerFirstChunk(owner: client, peer: peer, sessions: level, prefix: "\(run)-p\(level)")
            print("first chunk through the non-owner daemon, \(level) concurrent session(s): \(summary)")
        }
        let throughput = try await persistedThroughput(clients: [client, peer], prefix: "\(run)-pt")
        print(String(format: "persisted and streamed chunks/s, two daemons: %.0f (%d chunks in %.2f s over %d sessions, half on each)",
                     throughput.rate, throughput.chunks, throughput.seconds, throughputSessions))
        if let failoverPid {
            let times = try await failover(owner: client, ownerPid: failoverPid, peer: peer, prefix: run)
            print(String(format: "failover: owner killed → turn resumed on another daemon in %.0f ms (the reader on the peer saw data-interrupted), "
                         + "→ turn finished in %.0f ms", times.resumed.milliseconds, times.finished.milliseconds))
        }
    }

    /// Time from `POST …/in` to the turn's first chunk on an already open stream.
    private func firstChunkLatency(client: AgentHostClient, sessions: Int, prefix: String) async throws -> LatencySummary {
        let samples = try await withThrowingTaskGroup(of: [Duration].self) { group in
            for index in 0..<sessions {
                group.addTask {
                    let session = try await BenchSession.create("\(prefix)-\(index)", agent: agent, client: client)
                    var events = try await session.output().makeAsyncIterator()
                    var samples: [Duration] = []
                    for turn in 0..<turns {
                        if spread > 0 { try await Task.sleep(for: .milliseconds(Int.random(in: 0...spread))) }
                        if let first = try await session.turn("turn \(turn)", reading: &events) { samples.append(first) }
                    }
                    return samples
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        return LatencySummary(samples)
    }

    /// Persisted chunks/s: `throughputSessions` sessions stream `/slow` answers
    /// at once, each read as it streams; the sessions take turns among `clients`
    /// (one daemon, or each daemon of a cluster).
    func persistedThroughput(clients: [AgentHostClient], prefix: String) async throws -> (rate: Double, chunks: Int, seconds: Double) {
        let clock = ContinuousClock()
        var started = clock.now
        let chunks = try await withThrowingTaskGroup(of: Int.self) { group in
            var streams: [(BenchSession, SessionOutput)] = []
            for index in 0..<throughputSessions {
                let session = try await BenchSession.create("\(prefix)-\(index)", agent: agent, client: clients[index % clients.count])
                streams.append((session, try await session.output()))
            }
            started = clock.now
            for (session, stream) in streams {
                group.addTask {
                    _ = try await session.send("/slow \(words)")
                    var count = 0
                    for try await event in stream {
                        count += 1
                        if event.completesTurn { break }
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = started.duration(to: clock.now)
        let seconds = elapsed.milliseconds / 1000
        return (Double(chunks) / seconds, chunks, seconds)
    }

    /// The same load with nobody reading: what the log itself sustains, measured
    /// from the sessions' last seqs once every turn is done.
    private func unwatchedThroughput(client: AgentHostClient, prefix: String) async throws -> (rate: Double, chunks: Int, seconds: Double) {
        var sessions: [BenchSession] = []
        for index in 0..<throughputSessions {
            sessions.append(try await BenchSession.create("\(prefix)-\(index)", agent: agent, client: client))
        }
        let clock = ContinuousClock()
        let started = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for session in sessions {
                group.addTask { _ = try await session.send("/slow \(words)") }
            }
            try await group.waitForAll()
        }
        var records = 0
        for session in sessions {
            while true {
                let info = try await client.sessionInfo(session.chatId).json
                if info?["status"]?.stringValue == "idle" {
                    records += Int(info?["lastSeq"]?.doubleValue ?? 0)
                    break
                }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        let elapsed = started.duration(to: clock.now)
        let seconds = elapsed.milliseconds / 1000
        return (Double(records) / seconds, records, seconds)
    }

    /// Time from `deploy` (temp file + rename) until the new build is the active
    /// generation, as `GET /api/v1/agents` reports it.
    private func deployLatency(client: AgentHostClient) async throws -> (latency: LatencySummary, before: Double, after: Double) {
        let original = try Data(contentsOf: URL(fileURLWithPath: pluginFile))
        let dropDirectory = plugins ?? "\(connection.dataOptions.data)/plugins"
        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("agent-host-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: staging) }
        let before = Double(try await client.residentBytesWithWorkers())
        var samples: [Duration] = []
        for build in 0..<deploys {
            let generationsBefore = try await activeGeneration(client: client)
            let file = staging.appendingPathComponent("libBench\(build).so")
            try (original + Data("bench build \(build) \(UUID().uuidString)".utf8)).write(to: file)
            let clock = ContinuousClock()
            let start = clock.now
            _ = try PluginDeployer.deploy(file: file.path, into: dropDirectory)
            while try await activeGeneration(client: client) == generationsBefore {
                try await Task.sleep(for: .milliseconds(1))
            }
            samples.append(start.duration(to: clock.now))
        }
        // Retired builds' workers exit after their `shutdown`; measure once they have.
        for _ in 0..<200 {
            let live = try await client.workerRuntimes().filter { $0.agent == agent && $0.pid != nil }.count
            if live <= 1 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let after = Double(try await client.residentBytesWithWorkers())
        return (LatencySummary(samples), before, after)
    }

    private func activeGeneration(client: AgentHostClient) async throws -> Int {
        let agents = try await client.agents().json?["agents"]?.arrayValue ?? []
        let entry = agents.first { $0["id"]?.stringValue == agent }
        return Int(entry?["activeGeneration"]?.doubleValue ?? 0)
    }

    private func idleMemory(client: AgentHostClient, prefix: String) async throws -> (before: Double, peak: Double, after: Double) {
        let before = Double(try await client.residentBytes())
        let batch = 200
        for start in stride(from: 0, to: idleSessions, by: batch) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in start..<min(start + batch, idleSessions) {
                    group.addTask {
                        let session = try await BenchSession.create("\(prefix)-\(index)", agent: agent, client: client)
                        _ = try await session.send("hi")
                    }
                }
                try await group.waitForAll()
            }
        }
        let peak = Double(try await client.residentBytes())
        try await Task.sleep(for: .milliseconds(Int64(idleWait * 1000)))
        let after = Double(try await client.residentBytes())
        return (before, peak, after)
    }
}
