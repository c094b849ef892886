import AgentHostClient
import AgentWire
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The cluster figures: two daemons on one PostgreSQL database (`--peer`).
extension Bench {
    /// First chunk through a daemon that does not own the session: each session
    /// is owned by the first daemon (its first turn ran there), its stream is
    /// open on the peer, and every turn is sent to the peer, which relays it.
    func nonOwnerFirstChunk(owner: AgentHostClient, peer: AgentHostClient, sessions: Int, prefix: String) async throws -> LatencySummary {
        let samples = try await withThrowingTaskGroup(of: [Duration].self) { group in
            for index in 0..<sessions {
                group.addTask {
                    let owned = try await BenchSession.create("\(prefix)-\(index)", agent: agent, client: owner)
                    var ownerEvents = try await owned.output().makeAsyncIterator()
                    _ = try await owned.turn("owner's turn", reading: &ownerEvents)
                    let relayed = BenchSession(chatId: owned.chatId, client: peer.using(token: owned.client.token ?? ""))
                    let lastSeq = try await owner.sessionInfo(owned.chatId).json?["lastSeq"]?.doubleValue.map(Int64.init)
                    var events = try await relayed.output(after: lastSeq).makeAsyncIterator()
                    var samples: [Duration] = []
                    for turn in 0..<turns {
                        if let first = try await relayed.turn("turn \(turn)", reading: &events) { samples.append(first) }
                    }
                    return samples
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        return LatencySummary(samples)
    }

    /// Failover: a `/slow … hold` turn runs on the daemon with process id
    /// `ownerPid` (the owner) and waits after its third word; a reader follows
    /// it on the peer; the owner is killed with SIGKILL and the hold released.
    /// Returns the time from the kill to the first record another daemon wrote
    /// (its `data-interrupted`), and to the turn's end. The hold is a file the
    /// scripted model waits for, so the bench must run on the daemons' machine.
    func failover(owner: AgentHostClient, ownerPid: Int32, peer: AgentHostClient, prefix: String) async throws -> (resumed: Duration, finished: Duration) {
        let gate = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-failover-gate").path
        defer { try? FileManager.default.removeItem(atPath: gate) }
        let session = try await BenchSession.create("\(prefix)-failover", agent: agent, client: owner)
        let seq = try await session.send("/slow \(words) hold \(gate)")
        let follower = BenchSession(chatId: session.chatId, client: peer.using(token: session.client.token ?? ""))
        var events = try await follower.output(after: seq).makeAsyncIterator()
        // Streaming on the owner, held after its third word.
        var words = 0
        while words < 3, let event = try await events.next() {
            if case .textDelta? = event.chunk { words += 1 }
        }
        let clock = ContinuousClock()
        guard kill(ownerPid, SIGKILL) == 0 else { throw BenchFailure("could not kill process \(ownerPid) (errno \(errno))") }
        let killed = clock.now
        guard FileManager.default.createFile(atPath: gate, contents: Data()) else { throw BenchFailure("could not write \(gate)") }
        var resumed: Duration?
        while let event = try await events.next() {
            if resumed == nil, case .interrupted? = event.control { resumed = killed.duration(to: clock.now) }
            if event.completesTurn { break }
        }
        guard let resumed else { throw BenchFailure("the turn ended without being resumed elsewhere") }
        return (resumed, killed.duration(to: clock.now))
    }
}

/// A bench run that could not measure what it set out to.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
