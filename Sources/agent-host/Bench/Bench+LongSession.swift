import AgentHostClient
import AgentWire
import Foundation

extension Bench {
    /// One block of a long session's turns.
    struct TurnBlock {
        var firstTurn: Int
        var lastTurn: Int
        /// Daemon CPU (user + system) per turn, in milliseconds.
        var cpuPerTurn: Double
        var wallPerTurn: Double
        var firstChunk: LatencySummary
    }

    /// One session, `turns` short turns one after another; CPU, wall time and
    /// first-chunk latency per block of `block` turns: whether a turn costs the
    /// same at turn 1,000 as at turn 10.
    func longSession(client: AgentHostClient, chatId: String, turns: Int, block: Int, report: (TurnBlock) -> Void) async throws {
        let session = try await BenchSession.create(chatId, agent: agent, client: client)
        var events = try await session.output().makeAsyncIterator()
        let clock = ContinuousClock()
        var blockStart = clock.now
        var cpuStart = try await client.cpuSeconds()
        var samples: [Duration] = []
        for turn in 1...turns {
            if let first = try await session.turn("hello", reading: &events) { samples.append(first) }
            if turn % block == 0 || turn == turns {
                let cpu = try await client.cpuSeconds()
                let count = Double(turn - (turn - 1) / block * block)
                let wall = blockStart.duration(to: clock.now)
                report(TurnBlock(
                    firstTurn: (turn - 1) / block * block + 1, lastTurn: turn, cpuPerTurn: (cpu - cpuStart) * 1000 / count,
                    wallPerTurn: wall.milliseconds / count, firstChunk: LatencySummary(samples)
                ))
                samples = []
                blockStart = clock.now
                cpuStart = try await client.cpuSeconds()
            }
        }
    }

    /// What waking a long session costs.
    struct Wake {
        /// The request that woke it (`GET /api/v1/sessions/{chatId}`).
        var asleep: Duration
        /// The same request again, the session in memory.
        var awake: Duration
        /// The first turn after the wake, from sending it to its first chunk, and
        /// to its end: a wake that leaves work for later pays for it here.
        var firstChunk: Duration?
        var firstTurn: Duration
        /// Live sessions before and after the eviction.
        var live: (Int, Int)
    }

    /// Builds a session of `turns` turns, waits until the daemon evicted it, then
    /// times the request that wakes it, the same request again with the session
    /// in memory, and the first turn after the wake.
    func wake(client: AgentHostClient, chatId: String, turns: Int) async throws -> Wake {
        try await longSession(client: client, chatId: chatId, turns: turns, block: turns) { _ in }
        let before = try await client.liveSessions()
        // The stream is closed; the session leaves memory once the daemon noticed
        // (at its next keep-alive, up to 30 s) and its idle timeout passed.
        let deadline = ContinuousClock.now + .seconds(max(idleWait, 120))
        var evicted = before
        while evicted >= before, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            evicted = try await client.liveSessions()
        }
        let clock = ContinuousClock()
        var start = clock.now
        let info = try await client.sessionInfo(chatId)
        let asleep = start.duration(to: clock.now)
        start = clock.now
        _ = try await client.sessionInfo(chatId)
        let awake = start.duration(to: clock.now)

        // Only the records from now on: not the whole log again.
        let lastSeq = (try? JSONValue(parsing: Data(info.body.utf8)))?["lastSeq"]?.doubleValue.map { Int64($0) }
        let session = try await BenchSession.create(chatId, agent: agent, client: client)
        var events = try await session.output(after: lastSeq).makeAsyncIterator()
        start = clock.now
        let firstChunk = try await session.turn("hello", reading: &events)
        let firstTurn = start.duration(to: clock.now)
        return Wake(asleep: asleep, awake: awake, firstChunk: firstChunk, firstTurn: firstTurn, live: (before, evicted))
    }
}

extension AgentHostClient {
    /// Sessions the daemon holds in memory, from its Prometheus endpoint.
    func liveSessions() async throws -> Int {
        Int(try await metric("agent_host_live_sessions") ?? 0)
    }
}

extension Duration {
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
