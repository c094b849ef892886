import AgentHostClient
import Foundation

extension Bench {
    /// What the daemon spends on a turn's request alone: `requests` authenticated
    /// `POST …/in` of a `stop` record (persisted like any input, starts no turn)
    /// spread over `sessions` sessions at once. A turn costs at least this, plus
    /// its start, model step, commits and stream writes; the figure puts the
    /// per-turn CPU of the concurrency runs in proportion.
    /// - Parameters:
    ///   - client: A client holding the secret key.
    ///   - prefix: Chat id prefix for the sessions created.
    ///   - requests: Requests in all.
    ///   - sessions: Sessions (and concurrent senders).
    /// - Returns: Daemon CPU per request, in milliseconds.
    func requestFloor(client: AgentHostClient, prefix: String, requests: Int, sessions: Int) async throws -> Double {
        var created: [BenchSession] = []
        for index in 0..<sessions {
            created.append(try await BenchSession.create("\(prefix)-\(index)", agent: agent, client: client))
        }
        let cpuBefore = try await client.cpuSeconds()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, session) in created.enumerated() {
                let count = requests / sessions + (index < requests % sessions ? 1 : 0)
                group.addTask {
                    for _ in 0..<count { _ = try await session.client.stop(chatId: session.chatId) }
                }
            }
            try await group.waitForAll()
        }
        return (try await client.cpuSeconds() - cpuBefore) * 1000 / Double(max(1, requests))
    }
}
