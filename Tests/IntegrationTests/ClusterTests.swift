import AgentHostClient
import AgentWire
import Foundation
import TestSupport
import Testing

/// Several real daemons on one PostgreSQL database: any daemon takes any
/// request for any session; one owns its turns; readers anywhere follow it
/// live; a killed owner's turns are taken over and finished elsewhere.
@Suite struct ClusterTests {
    /// `count` daemons on a fresh database, sharing one secret key, as the machines of one deployment would.
    private static func cluster(_ count: Int, environment: [String: String] = [:], url: String? = nil) throws -> [DaemonProcess] {
        let url = try url ?? PostgresCluster.database()
        var shared = environment
        shared["AGENT_HOST_DATABASE_URL"] = url
        shared["AGENT_HOST_SECRET_KEY"] = "sk_" + UUID().uuidString
        let daemons = try (0..<count).map { _ in try DaemonProcess(environment: shared, arguments: ["--takeover-interval", "0.2"]) }
        for daemon in daemons { try daemon.start() }
        return daemons
    }

    @Test func aSessionCreatedOnOneDaemonIsWrittenThroughAnotherAndReadOnAThird() async throws {
        let daemons = try Self.cluster(3)
        defer { daemons.forEach { $0.stop() } }
        let (a, b, c) = (daemons[0].client, daemons[1].client, daemons[2].client)
        // B's change feed hears of a session A creates and runs.
        let feedOnB = LiveInboxTests.FeedReader(try await b.sessionChanges())
        let token = try await a.createSession("spread", secret: daemons[0].secretKey).token

        // The first input on A: A owns the session from then on.
        try await a.sendMessage("first", chatId: "spread", token: token)
        _ = try await a.readEvents(chatId: "spread", token: token) { $0.completedTurns() == 1 }
        try await waitUntil {
            feedOnB.sessions("spread").contains { $0["status"] == "idle" && $0["lastMessage"]?["text"] == "You said: first" }
        }
        #expect(feedOnB.sessions("spread").contains { $0["status"] == "running" })

        // A reader on C follows live while B relays the next input to A.
        let follower = Task { try await c.readEvents(chatId: "spread", token: token) { $0.completedTurns() == 2 } }
        let seq = try await b.sendMessage("second", chatId: "spread", token: token)
        let onC = try await follower.value
        let onA = try await a.readEvents(chatId: "spread", token: token) { $0.completedTurns() == 2 }
        #expect(onC == onA)
        #expect(onA.text == "You said: firstYou said: second")
        #expect(onA.contains { $0.id > seq })

        // History, session info and the active turn read the same anywhere.
        for client in [a, b, c] {
            #expect(try await client.historyTexts(chatId: "spread", token: token) == ["first", "You said: first", "second", "You said: second"])
            let info = try await client.send(.GET, "/api/v1/sessions/spread", token: daemons[0].secretKey)
            #expect(info.json?["status"]?.stringValue == "idle")
            #expect(info.json?["lastSeq"]?.doubleValue == onA.last.map { Double($0.id) })
        }

        // A close through C is the owner's close; a reader on B (not the owner) sees its stream end.
        let last = try #require(onA.last)
        // It reads the last record first: it is subscribed when that arrives.
        let (subscribed, signal) = AsyncStream.makeStream(of: Void.self)
        let readerOnB = Task {
            try await b.readEvents(chatId: "spread", token: token, lastEventId: last.id - 1) { _ in
                signal.yield()
                return false
            }
        }
        for await _ in subscribed { break }
        let closed = try await c.send(.POST, "/api/v1/sessions/spread/close", token: daemons[0].secretKey)
        #expect(closed.status == 200)
        try await waitUntil {
            try await a.send(.GET, "/api/v1/sessions/spread", token: daemons[0].secretKey).json?["status"]?.stringValue == "closed"
        }
        let refused = try await b.send(
            .POST, "/realtime/v1/sessions/spread/in", token: token,
            body: #"{"kind":"message","message":{"id":"late","role":"user","parts":[{"type":"text","text":"late"}]}}"#
        )
        #expect(refused.status == 409)
        #expect(refused.json?["error"]?["code"]?.stringValue == "session_closed")
        #expect(try await readerOnB.value == [last], "the stream ended with nothing more")
        // A stream opened on a non-owner after the close is what is stored, then its end.
        let afterClose = try await c.readEvents(chatId: "spread", token: token) { _ in false }
        #expect(afterClose == onA)
    }

    /// The session's log in the database: dense seqs from 1, none twice.
    private static func logIsDense(_ url: String, chatId: String) throws -> Bool {
        try PostgresCluster.psql(url, "SELECT count(*) = max(seq) AND count(DISTINCT seq) = count(*) AND min(seq) = 1 FROM records WHERE chat_id = '\(chatId)'") == "t"
    }

    @Test func concurrentInputsThroughTwoDaemonsGetDenseSeqsAndOneAnswerEachInOrder() async throws {
        let url = try PostgresCluster.database()
        let daemons = try Self.cluster(3, url: url)
        defer { daemons.forEach { $0.stop() } }
        let (a, b, c) = (daemons[0].client, daemons[1].client, daemons[2].client)
        let token = try await a.createSession("busy", secret: daemons[0].secretKey).token

        let count = 12
        let seqs = try await withThrowingTaskGroup(of: (String, Int64).self) { group in
            for index in 0..<count {
                let text = "m\(index)"
                let client = index.isMultiple(of: 2) ? a : b
                group.addTask { (text, try await client.sendMessage(text, chatId: "busy", token: token)) }
            }
            return try await group.reduce(into: [String: Int64]()) { $0[$1.0] = $1.1 }
        }
        #expect(Set(seqs.values).count == count, "every input its own seq")

        // The same idempotency key through both daemons is one input.
        let keyed = try await withThrowingTaskGroup(of: Int64.self) { group in
            for client in [a, b, a, b] {
                group.addTask { try await client.sendMessage("keyed", chatId: "busy", token: token, id: "k1", idempotencyKey: "key-1") }
            }
            return try await group.reduce(into: Set<Int64>()) { $0.insert($1) }
        }
        #expect(keyed.count == 1)

        let events = try await c.readEvents(chatId: "busy", token: token) { $0.completedTurns() == count + 1 }
        // Dense in the log whichever daemon took the input; each record streamed once, in order.
        #expect(try Self.logIsDense(url, chatId: "busy"))
        #expect(events.seqsIncrease)
        #expect(!events.contains { Set(seqs.values).union(keyed).contains($0.id) })
        // Each input answered once, in the order of its seq.
        let order = seqs.sorted { $0.value < $1.value }.map(\.key)
        var expected = order.map { "You said: \($0)" }
        expected.insert("You said: keyed", at: seqs.values.filter { $0 < (keyed.first ?? 0) }.count)
        #expect(events.text == expected.joined())
        let texts = try await b.historyTexts(chatId: "busy", token: token)
        #expect(texts.count == 2 * (count + 1))
    }

    @Test func aKilledOwnersTurnIsTakenOverAndAReaderOnAnotherDaemonSeesTheRest() async throws {
        let url = try PostgresCluster.database()
        let daemons = try Self.cluster(3, environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "5"], url: url)
        defer { daemons.forEach { $0.stop() } }
        let (owner, b, c) = (daemons[0], daemons[1].client, daemons[2].client)
        let gate = TurnGate(directory: owner.dataDirectory)
        let token = try await owner.client.createSession("failover", secret: owner.secretKey).token

        let inSeq = try await owner.client.sendMessage(gate.slow(30), chatId: "failover", token: token)
        let queued = try await owner.client.sendMessage("after it", chatId: "failover", token: token)
        // One reader on B, one connection for the whole test: it must not need to reconnect.
        let (started, startedSignal) = AsyncStream.makeStream(of: Void.self)
        let reader = Task {
            try await b.readEvents(chatId: "failover", token: token) { events in
                if events.filter({ $0.type == "text-delta" }).count == 3 { startedSignal.yield() }
                return events.completedTurns() == 2
            }
        }
        for await _ in started { break }

        owner.kill9()
        gate.open()
        let seen = try await reader.value
        // The turn resumed once on a surviving daemon, and the queued input was answered after it.
        #expect(seen.filter { $0.type == "data-interrupted" }.count == 1)
        #expect(seen.text == (1...30).map(String.init).joined(separator: " ") + "You said: after it")
        #expect(seen.seqsIncrease)
        #expect(!seen.contains { $0.id == queued })
        #expect(try Self.logIsDense(url, chatId: "failover"))

        // Another reader, on C, from the start: the same records.
        let fromC = try await c.readEvents(chatId: "failover", token: token) { $0.last?.id == seen.last?.id }
        #expect(fromC.filter { $0.id > inSeq } == seen)
        #expect(try await c.historyTexts(chatId: "failover", token: token).count == 4)
    }
    @Test func aDaemonThatLosesItsLockConnectionLetsItsSessionsGoAndWritesNothingMore() async throws {
        let url = try PostgresCluster.database()
        let daemons = try Self.cluster(2, environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "5"], url: url)
        defer { daemons.forEach { $0.stop() } }
        let (a, b) = (daemons[0].client, daemons[1].client)
        let gate = TurnGate(directory: daemons[0].dataDirectory)
        let token = try await a.createSession("cut", secret: daemons[0].secretKey).token
        let inSeq = try await a.sendMessage(gate.slow(30), chatId: "cut", token: token)

        // A reader on B says when the answer has started on A, and when it was resumed elsewhere.
        let (milestones, milestone) = AsyncStream.makeStream(of: String.self)
        let reader = Task {
            try await b.readEvents(chatId: "cut", token: token, lastEventId: inSeq) { events in
                if events.last?.type == "text-delta", events.filter({ $0.type == "text-delta" }).count == 3 { milestone.yield("started") }
                if events.last?.type == "data-interrupted" { milestone.yield("resumed") }
                return events.completedTurns() == 1
            }
        }
        var iterator = milestones.makeAsyncIterator()
        #expect(await iterator.next() == "started")
        // The database ends A's lock connection, as a network cut would; A keeps running.
        let ended = try PostgresCluster.psql(url, """
            SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND granted
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """)
        #expect(ended == "1")
        // B takes the session over and resumes the turn; then the answer may go on.
        #expect(await iterator.next() == "resumed")
        gate.open()
        let seen = try await reader.value
        #expect(seen.filter { $0.type == "data-interrupted" }.count == 1)
        #expect(seen.text == (1...30).map(String.init).joined(separator: " "), "each word once: A wrote nothing after it lost the lock")
        #expect(seen.seqsIncrease)
        #expect(try Self.logIsDense(url, chatId: "cut"))

        // A serves on: an input sent to it is answered once, wherever the session runs now.
        let next = try await a.sendMessage("after the cut", chatId: "cut", token: token)
        let answer = try await a.readEvents(chatId: "cut", token: token, lastEventId: next) { $0.completedTurns() == 1 }
        #expect(answer.text == "You said: after the cut")
        #expect(try await b.historyTexts(chatId: "cut", token: token).count == 4)
    }
}
