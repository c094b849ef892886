import AgentHostClient
import AgentWire
import ArgumentParser
import Foundation
import Synchronization

extension Bench {
    /// What the hostile clients of a soak did so far; every task adds as it goes.
    final class SoakCounters: Sendable {
        let inputsAccepted = Atomic<Int>(0)
        let inputsRefusedAsQueueFull = Atomic<Int>(0)
        let inputsRefusedOtherwise = Atomic<Int>(0)
        let bigMessagesAccepted = Atomic<Int>(0)
        let stalledOpen = Atomic<Int>(0)
        let stalledClosedByDaemon = Atomic<Int>(0)
        let idleOpen = Atomic<Int>(0)
        let idleClosedByDaemon = Atomic<Int>(0)
        let connectsRefused = Atomic<Int>(0)

        /// Counts one input's fate by its status.
        func count(inputStatus status: Int) {
            switch status {
            case 200..<300: inputsAccepted.add(1, ordering: .relaxed)
            case 429: inputsRefusedAsQueueFull.add(1, ordering: .relaxed)
            default: inputsRefusedOtherwise.add(1, ordering: .relaxed)
            }
        }
    }

    /// First-chunk samples of the healthy session and `/healthz` answers,
    /// taken by the reporter a window at a time.
    final class SoakSamples: Sendable {
        private let state = Mutex((firstChunks: [Duration](), healthz: [Duration](), healthzFailures: 0))

        func addFirstChunk(_ sample: Duration) { state.withLock { $0.firstChunks.append(sample) } }

        func addHealthz(_ sample: Duration, ok: Bool) {
            state.withLock {
                $0.healthz.append(sample)
                if !ok { $0.healthzFailures += 1 }
            }
        }

        /// Everything since the last take.
        func take() -> (firstChunks: [Duration], healthz: [Duration], healthzFailures: Int) {
            state.withLock { state in
                defer { state = ([], [], 0) }
                return state
            }
        }
    }

    /// The hostile load of `--soak`, sized by the bench's options.
    struct SoakLoad: Sendable {
        var stalledReaders: Int
        var idleSockets: Int
        var burst: Int
        var bigMessageBytes: Int
        /// A stalled reader is replaced after this long, so replays keep starting.
        var stalledLifetime = Duration.seconds(10)
    }

    /// Runs the hostile load for `seconds` while one healthy session takes
    /// turns one after another; prints a row every `reportEvery` seconds:
    /// the daemon's and its workers' RSS, the healthy session's first-chunk
    /// latency, `/healthz`, and what the hostile clients got.
    func soak(client: AgentHostClient, run: String, seconds: Double, load: SoakLoad, reportEvery: Double) async throws {
        guard let url = URL(string: connection.url), let port = url.port else {
            throw ValidationError("--soak needs a --url with a port, e.g. http://127.0.0.1:8787")
        }
        let host = url.host == "localhost" ? "127.0.0.1" : url.host ?? "127.0.0.1"
        print("soak, \(Int(seconds)) s: \(load.stalledReaders) stalled readers (replays from seq 0 of a long log and live streams, "
              + "each replaced after \(load.stalledLifetime.components.seconds) s), \(load.idleSockets) slowloris sockets (a header line a second), "
              + "bursts of \(load.burst) inputs every 2 s, a \(load.bigMessageBytes / 1024) KB message every 2 s; "
              + "one healthy session takes turns meanwhile")

        // A long log for the replays to read, written before the clock starts.
        let long = try await BenchSession.create("\(run)-soak-long", agent: agent, client: client)
        var longEvents = try await long.output().makeAsyncIterator()
        _ = try await long.turn("/slow 20000", reading: &longEvents)
        let flood = try await BenchSession.create("\(run)-soak-flood", agent: agent, client: client)
        let big = try await BenchSession.create("\(run)-soak-big", agent: agent, client: client)
        let healthy = try await BenchSession.create("\(run)-soak-healthy", agent: agent, client: client)

        let counters = SoakCounters()
        let samples = SoakSamples()
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int64(seconds * 1000))
        let rssBefore = try await client.residentBytes()
        print(String(format: "daemon RSS before: %.1f MB", Double(rssBefore) / 1e6))
        print(" time s | daemon RSS MB | workers RSS MB | first chunk p50 ms | p99 ms |  n  | /healthz max ms | inputs ok/429/other | stalled open/dropped | idle open/closed | refused connects")

        var allFirstChunks: [Duration] = []
        var peak = rssBefore
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await self.stallReaders(
                    client: client, long: long, live: flood, host: host, port: port, load: load, counters: counters, until: deadline
                )
            }
            group.addTask { await self.holdIdleSockets(host: host, port: port, count: load.idleSockets, counters: counters, until: deadline) }
            // 0 leaves a kind of load out, to see what each one costs.
            if load.burst > 0 {
                group.addTask { try await self.floodInputs(flood, burst: load.burst, counters: counters, until: deadline) }
            }
            if load.bigMessageBytes > 0 {
                group.addTask { try await self.sendBigMessages(big, bytes: load.bigMessageBytes, counters: counters, until: deadline) }
            }
            group.addTask {
                var events = try await healthy.output().makeAsyncIterator()
                while clock.now < deadline {
                    if let first = try await healthy.turn("hello", reading: &events) { samples.addFirstChunk(first) }
                }
            }
            group.addTask {
                while clock.now < deadline {
                    let start = clock.now
                    let ok = (try? await client.request(.GET, "/healthz").status) == 200
                    samples.addHealthz(start.duration(to: clock.now), ok: ok)
                    try await Task.sleep(for: .milliseconds(250))
                }
            }
            let began = clock.now
            var nextReport = began + .milliseconds(Int64(reportEvery * 1000))
            while clock.now < deadline {
                try await Task.sleep(until: min(nextReport, deadline), clock: clock)
                nextReport = nextReport + .milliseconds(Int64(reportEvery * 1000))
                let rss = try await client.residentBytes()
                let workers = try await client.residentBytesWithWorkers() - rss
                peak = max(peak, rss)
                let window = samples.take()
                allFirstChunks += window.firstChunks
                print(Self.soakRow(
                    elapsed: began.duration(to: clock.now), rss: rss, workers: workers, window: window, counters: counters
                ))
            }
            try await group.waitForAll()
        }
        let rssAtEnd = try await client.residentBytes()
        // The hostile clients are gone; what the daemon still holds a little later is what it keeps.
        try await Task.sleep(for: .seconds(5))
        let rssAfter = try await client.residentBytes()
        let summary = LatencySummary(allFirstChunks)
        print(String(format: "healthy session, first chunk over the whole soak: %@", summary.description))
        print(String(format: "daemon RSS: %.1f MB before, %.1f MB peak (sampled), %.1f MB at the end, %.1f MB 5 s after the load stopped",
                     Double(rssBefore) / 1e6, Double(peak) / 1e6, Double(rssAtEnd) / 1e6, Double(rssAfter) / 1e6))
    }

    private static func soakRow(
        elapsed: Duration, rss: Int, workers: Int, window: (firstChunks: [Duration], healthz: [Duration], healthzFailures: Int),
        counters: SoakCounters
    ) -> String {
        let first = LatencySummary(window.firstChunks)
        let healthz = window.healthz.map(\.milliseconds).max() ?? 0
        let healthzText = String(format: "%.1f", healthz) + (window.healthzFailures > 0 ? " (\(window.healthzFailures) failed)" : "")
        let inputs = "\(counters.inputsAccepted.load(ordering: .relaxed))/\(counters.inputsRefusedAsQueueFull.load(ordering: .relaxed))"
            + "/\(counters.inputsRefusedOtherwise.load(ordering: .relaxed))"
        let stalled = "\(counters.stalledOpen.load(ordering: .relaxed))/\(counters.stalledClosedByDaemon.load(ordering: .relaxed))"
        let idle = "\(counters.idleOpen.load(ordering: .relaxed))/\(counters.idleClosedByDaemon.load(ordering: .relaxed))"
        // Right-aligned by hand: `%15@` does not pad on Linux.
        func pad(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        let numbers = String(format: "%7.1f | %13.1f | %14.1f | %18.2f | %6.2f | %3d",
                             elapsed.milliseconds / 1000, Double(rss) / 1e6, Double(workers) / 1e6, first.p50, first.p99, first.count)
        let refused = "\(counters.connectsRefused.load(ordering: .relaxed))"
        return [numbers, pad(healthzText, 15), pad(inputs, 19), pad(stalled, 20), pad(idle, 16), pad(refused, 16)].joined(separator: " | ")
    }

    /// Keeps `load.stalledReaders` SSE readers open that never read: half
    /// replay the long log from seq 0, half follow the flooded session live.
    /// Each is replaced after `load.stalledLifetime`, or when the daemon drops it.
    private func stallReaders(
        client: AgentHostClient, long: BenchSession, live: BenchSession, host: String, port: Int, load: SoakLoad, counters: SoakCounters,
        until deadline: ContinuousClock.Instant
    ) async throws {
        let clock = ContinuousClock()
        var readers: [(socket: HostileSocket, opened: ContinuousClock.Instant)] = []
        // Create-or-get with the secret key hands out each session's token again.
        let longToken = try await client.createSession(long.chatId, agent: agent).publicAccessToken
        let liveToken = try await client.createSession(live.chatId, agent: agent).publicAccessToken
        var opened = 0
        while clock.now < deadline {
            readers.removeAll { reader in
                if reader.socket.isClosedByPeer {
                    counters.stalledClosedByDaemon.add(1, ordering: .relaxed)
                    return true
                }
                return reader.opened.duration(to: clock.now) > load.stalledLifetime
            }
            while readers.count < load.stalledReaders {
                guard let socket = HostileSocket(host: host, port: port) else {
                    counters.connectsRefused.add(1, ordering: .relaxed)
                    break
                }
                let replay = opened % 2 == 0
                opened += 1
                let (chatId, token) = replay ? (long.chatId, longToken) : (live.chatId, liveToken)
                _ = socket.send("GET /realtime/v1/sessions/\(chatId)/out HTTP/1.1\r\nHost: \(host)\r\nAuthorization: Bearer \(token)\r\n"
                    + "Accept: text/event-stream\r\n" + (replay ? "Last-Event-ID: 0\r\n" : "") + "\r\n")
                readers.append((socket, clock.now))
            }
            counters.stalledOpen.store(readers.count, ordering: .relaxed)
            try await Task.sleep(for: .milliseconds(500))
        }
        counters.stalledOpen.store(0, ordering: .relaxed)
    }

    /// Keeps `count` connections that send a request's headers one line a
    /// second and never finish them (slowloris); one the daemon closes is replaced.
    private func holdIdleSockets(host: String, port: Int, count: Int, counters: SoakCounters, until deadline: ContinuousClock.Instant) async {
        let clock = ContinuousClock()
        var sockets: [HostileSocket] = []
        while clock.now < deadline {
            sockets.removeAll { socket in
                guard socket.isClosedByPeer || !socket.send("X-Soak: \(UInt32.random(in: 0...UInt32.max))\r\n") else { return false }
                counters.idleClosedByDaemon.add(1, ordering: .relaxed)
                return true
            }
            while sockets.count < count {
                guard let socket = HostileSocket(host: host, port: port) else {
                    counters.connectsRefused.add(1, ordering: .relaxed)
                    break
                }
                _ = socket.send("GET /healthz HTTP/1.1\r\nHost: \(host)\r\n")
                sockets.append(socket)
            }
            counters.idleOpen.store(sockets.count, ordering: .relaxed)
            try? await Task.sleep(for: .seconds(1))
        }
        counters.idleOpen.store(0, ordering: .relaxed)
    }

    /// Every 2 s, `burst` inputs at once into one session: its queue fills faster than its turns empty it.
    private func floodInputs(_ session: BenchSession, burst: Int, counters: SoakCounters, until deadline: ContinuousClock.Instant) async throws {
        let clock = ContinuousClock()
        while clock.now < deadline {
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<burst {
                    group.addTask { counters.count(inputStatus: await Self.status { _ = try await session.send("flood \(index)") }) }
                }
            }
            try await Task.sleep(for: .seconds(2))
        }
    }

    /// Every 2 s, one message of `bytes` (words of 1 KB: its echo is a few
    /// hundred chunks, not hundreds of thousands).
    private func sendBigMessages(_ session: BenchSession, bytes: Int, counters: SoakCounters, until deadline: ContinuousClock.Instant) async throws {
        let clock = ContinuousClock()
        let word = String(repeating: "x", count: 1023)
        let text = Array(repeating: word, count: max(1, bytes / 1024)).joined(separator: " ")
        while clock.now < deadline {
            let status = await Self.status { _ = try await session.send(text) }
            counters.count(inputStatus: status)
            if (200..<300).contains(status) { counters.bigMessagesAccepted.add(1, ordering: .relaxed) }
            try await Task.sleep(for: .seconds(2))
        }
    }

    /// The HTTP status a call ended with: 200 when it returned, the daemon's
    /// status when it refused, 0 when no answer came.
    private static func status(_ call: () async throws -> Void) async -> Int {
        do {
            try await call()
            return 200
        } catch let error as AgentHostClientError {
            return error.status
        } catch {
            return 0
        }
    }
}
