import AgentHostClient
import AgentWire
import Foundation
import TestSupport
import Testing

/// Hostile readers cost the daemon bounded memory: replays page from storage,
/// a live reader that stops reading is dropped past `--reader-buffer-limit`,
/// and a dropped reader resumes with `Last-Event-ID` losing nothing.
@Suite struct ReaderLimitTests {
    private static func residentBytes(of daemon: DaemonProcess) throws -> Int {
        let statm = try String(contentsOfFile: "/proc/\(daemon.process.processIdentifier)/statm", encoding: .utf8)
        let pages = try #require(statm.split(separator: " ").dropFirst().first.flatMap { Int($0) })
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Reads until `done` holds for an event, resuming with `Last-Event-ID` when
    /// the daemon drops the connection: with a 64 KiB limit a reader in a busy
    /// test process may fall behind too, and resuming is what a client does.
    private static func readResuming(
        _ client: AgentHostClient, chatId: String, token: String, after: Int64? = nil, done: @escaping (TestEvent) -> Bool
    ) async throws -> [TestEvent] {
        var collected: [TestEvent] = []
        var finished = false
        var drops = 0
        while !finished {
            do {
                _ = try await client.readEvents(chatId: chatId, token: token, lastEventId: collected.last?.id ?? after) { events in
                    guard let last = events.last else { return false }
                    // A token refresh belongs to its connection, not the log: it repeats the last id.
                    if last.type != "data-token" { collected.append(last) }
                    finished = done(last)
                    return finished
                }
            } catch {
                drops += 1
                guard drops < 100 else { throw error }
            }
        }
        return collected
    }

    @Test func aLiveReaderThatStopsReadingIsDroppedAndResumesWithoutLoss() async throws {
        try await withDaemon(environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "0"], arguments: ["--reader-buffer-limit", "64"]) { daemon, client in
            let token = try await client.createSession("stalled", secret: daemon.secretKey).token
            let stalled = try StalledReader(port: try #require(daemon.port), path: "/realtime/v1/sessions/stalled/out", token: token)
            // Its response has begun, so it is subscribed before the turn writes anything.
            try await waitUntil { stalled.hasReceivedBytes }
            // Three answers of ~7 MB: far more than the kernel's socket buffers (~2 MB
            // here), a few write batches and the 64 KiB the daemon may hold for it.
            for _ in 1...3 { try await client.sendMessage("/slow 100000", chatId: "stalled", token: token) }
            var completed = 0
            let whole = try await Self.readResuming(client, chatId: "stalled", token: token) { event in
                if event.type == "data-turn-complete" { completed += 1 }
                return completed == 3
            }
            let (text, closed) = stalled.drain()
            #expect(closed, "the daemon keeps a reader that stopped reading")
            let got = StalledReader.eventIds(in: text)
            #expect(text.components(separatedBy: "data-turn-complete").count - 1 < 3)
            // What it got is a gap-free prefix of the log; a resume from its last id gives exactly the rest.
            #expect(got.count < whole.count)
            let firstDifference = zip(got, whole.map(\.id)).enumerated().first { $0.element.0 != $0.element.1 }
            #expect(firstDifference == nil, "the stalled reader's events are not a prefix of the log: first difference \(String(describing: firstDifference)) of \(got.count)")
            let lastId = try #require(whole.last?.id)
            let rest = try await Self.readResuming(client, chatId: "stalled", token: token, after: got.last ?? 0) { $0.id == lastId }
            #expect(got + rest.map(\.id) == whole.map(\.id), "a resume after the drop does not give exactly the rest")
        }
    }

    @Test func stalledReplayReadersHoldAPageEachNotTheLog() async throws {
        try await withDaemon(environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "0"]) { daemon, client in
            let token = try await client.createSession("replayed", secret: daemon.secretKey).token
            try await client.sendMessage("/slow 60000", chatId: "replayed", token: token)
            _ = try await Self.readResuming(client, chatId: "replayed", token: token) { $0.type == "data-turn-complete" }
            let before = try Self.residentBytes(of: daemon)

            let port = try #require(daemon.port)
            let readers = try (0..<20).map { _ in
                try StalledReader(port: port, path: "/realtime/v1/sessions/replayed/out", token: token, lastEventId: 0)
            }
            // Every replay has started writing: a daemon that loads the whole log
            // per reader has loaded it by now.
            try await waitUntil { readers.allSatisfy(\.hasReceivedBytes) }
            let health = try await client.send(.GET, "/healthz", token: nil)
            #expect(health.status == 200)
            let grown = try Self.residentBytes(of: daemon) - before
            // 60,000 records are ~9 MB framed; twenty whole copies would be hundreds of MB.
            #expect(grown < 64 << 20, "20 stalled replay readers grew the daemon by \(grown >> 20) MB")
            withExtendedLifetime(readers) {}
        }
    }
}
