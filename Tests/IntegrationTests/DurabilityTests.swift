import AgentWire
import Foundation
import TestSupport
import Testing

/// Nothing a client saw is ever lost: kill -9, retries, stop, close, eviction.
@Suite struct DurabilityTests {
    @Test func killedMidStreamTheTurnResumesAndNothingSeenIsLost() async throws {
        let daemon = try DaemonProcess(environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "5"])
        try daemon.start()
        defer { daemon.stop() }
        let gate = TurnGate(directory: daemon.dataDirectory)
        var client = daemon.client
        let token = try await client.createSession("crash", secret: daemon.secretKey).token

        // The answer holds after its third word until the gate opens: the kill
        // lands mid-answer however late this test gets to run.
        let slowSeq = try await client.sendMessage(gate.slow(60), chatId: "crash", token: token)
        let queuedSeq = try await client.sendMessage("queued", chatId: "crash", token: token)
        let seenBeforeCrash = try await client.readEvents(chatId: "crash", token: token) { events in
            events.filter { $0.type == "text-delta" }.count >= 3
        }
        try daemon.crashAndRestart()
        client = daemon.client
        gate.open()

        let everything = try await client.readEvents(chatId: "crash", token: token) { $0.completedTurns() == 2 }
        let answer = (1...60).map(String.init).joined(separator: " ")
        // Every chunk seen before the crash is still there, same seq, same content.
        #expect(Array(everything.prefix(seenBeforeCrash.count)) == seenBeforeCrash)
        #expect(everything.filter { $0.type == "data-interrupted" }.count == 1)
        // Each record once, in log order, the answer's first right after its input.
        #expect(everything.seqsIncrease)
        #expect(everything.first?.id == slowSeq + 1)
        #expect(!everything.contains { $0.id == queuedSeq })
        // One answer each, complete, none twice.
        #expect(everything.text == answer + "You said: queued")
        #expect(everything.filter { $0.type == "start" }.count == 2)
        #expect(everything.filter { $0.type == "finish" }.count == 2)

        // A client that reconnects with its Last-Event-ID gets exactly what it missed.
        let lastSeen = try #require(seenBeforeCrash.last?.id)
        let lastId = try #require(everything.last?.id)
        let resumed = try await client.readEvents(chatId: "crash", token: token, lastEventId: lastSeen) { $0.last?.id == lastId }
        #expect(resumed == everything.filter { $0.id > lastSeen })

        #expect(try await client.historyTexts(chatId: "crash", token: token) == [gate.slow(60), answer, "queued", "You said: queued"])
    }

    @Test func aRetriedSendWithTheSameKeyReturnsTheOriginalSeqAndOneTurn() async throws {
        try await withDaemon { daemon, client in
            let token = try await client.createSession("idem", secret: daemon.secretKey).token

            let first = try await client.sendMessage("once", chatId: "idem", token: token, id: "m1", idempotencyKey: "key-1")
            let retried = try await client.sendMessage("once", chatId: "idem", token: token, id: "m1", idempotencyKey: "key-1")
            #expect(retried == first)
            let concurrent = try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<5 {
                    group.addTask { try await client.sendMessage("burst", chatId: "idem", token: token, id: "m2", idempotencyKey: "key-2") }
                }
                return try await group.reduce(into: Set<Int64>()) { $0.insert($1) }
            }
            #expect(concurrent.count == 1)

            // A marker turn last: when it completes, every turn before it has too.
            try await client.sendMessage("marker", chatId: "idem", token: token)
            let events = try await client.readEvents(chatId: "idem", token: token) { $0.text.hasSuffix("You said: marker") && $0.last?.type == "data-turn-complete" }
            #expect(events.completedTurns() == 3)
            #expect(events.text == "You said: onceYou said: burstYou said: marker")
        }
    }

    @Test func stopAbortsTheTurnKeepsThePartialAnswerAndTheSessionGoesOn() async throws {
        try await withDaemon(environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "5"]) { daemon, client in
            let token = try await client.createSession("stop", secret: daemon.secretKey).token
            // Held after its third word (the gate never opens): the stop lands mid-answer.
            let gate = TurnGate(directory: daemon.dataDirectory)

            try await client.sendMessage(gate.slow(2000), chatId: "stop", token: token)
            _ = try await client.readEvents(chatId: "stop", token: token) { $0.filter { $0.type == "text-delta" }.count >= 3 }
            // The stop comes from another connection, as after a page reload.
            let stop = try await client.send(.POST, "/realtime/v1/sessions/stop/in", token: token, body: #"{"kind":"stop"}"#)
            #expect(stop.status == 200)
            let events = try await client.readEvents(chatId: "stop", token: token) { $0.completedTurns() == 1 }
            let tail = events.suffix(2).map(\.type)
            #expect(tail == ["abort", "data-turn-complete"])
            #expect(!events.contains { $0.type == "finish" })
            let partial = events.text
            #expect(partial == "1 2 3")
            #expect(partial.count < (1...2000).map(String.init).joined(separator: " ").count)

            let history = try await client.send(.GET, "/realtime/v1/sessions/stop/messages", token: token)
            let answer = history.json?["messages"]?.arrayValue?.last?["parts"]?.arrayValue?.compactMap { $0["text"]?.stringValue }.joined()
            #expect(answer == partial)

            try await client.sendMessage("after stop", chatId: "stop", token: token)
            let next = try await client.readEvents(chatId: "stop", token: token) { $0.completedTurns() == 2 }
            #expect(next.text.hasSuffix("You said: after stop"))
            let info = try await client.send(.GET, "/api/v1/sessions/stop", token: daemon.secretKey)
            #expect(info.json?["status"]?.stringValue == "idle")
        }
    }

    @Test func closedSessionsRefuseInputAndListingIsCursorPaged() async throws {
        try await withDaemon { daemon, client in
            let secret = daemon.secretKey
            var tokens: [String: String] = [:]
            for index in 1...5 { tokens["s\(index)"] = try await client.createSession("s\(index)", secret: secret).token }

            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await client.send(.GET, "/api/v1/sessions?limit=2" + (cursor.map { "&after=\($0)" } ?? ""), token: secret)
                seen += page.json?["data"]?.arrayValue?.compactMap { $0["chatId"]?.stringValue } ?? []
                cursor = page.json?["nextCursor"]?.stringValue
            } while cursor != nil
            #expect(seen == ["s1", "s2", "s3", "s4", "s5"])

            #expect(try await client.send(.POST, "/api/v1/sessions/s2/close", token: secret).status == 200)
            let info = try await client.send(.GET, "/api/v1/sessions/s2", token: secret)
            #expect(info.json?["status"]?.stringValue == "closed")
            let refused = try await client.send(.POST, "/realtime/v1/sessions/s2/in", token: tokens["s2"],
                                                body: #"{"kind":"message","message":{"id":"x","role":"user","parts":[{"type":"text","text":"late"}]}}"#)
            #expect(refused.status == 409)
            #expect(refused.json?["error"]?["code"]?.stringValue == "session_closed")
            let recreate = try await client.send(.POST, "/api/v1/sessions", token: secret, body: #"{"chatId":"s2","agent":"my-chat"}"#)
            #expect(recreate.status == 409)
            let closedOnly = try await client.send(.GET, "/api/v1/sessions?status=closed", token: secret)
            #expect(closedOnly.json?["data"]?.arrayValue?.compactMap { $0["chatId"]?.stringValue } == ["s2"])
        }
    }

    /// Closing a session mid-answer stops the turn; a reader gets the answer's `abort` and
    /// `data-turn-complete` (as it would for a stop), and then its stream ends.
    @Test func closingMidTurnSendsReadersTheAbortAndTurnCompleteThenEndsTheirStreams() async throws {
        try await withDaemon(environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "20"]) { daemon, client in
            let token = try await client.createSession("closing", secret: daemon.secretKey).token
            try await client.sendMessage("/slow 1000", chatId: "closing", token: token)
            let streaming = try await client.readEvents(chatId: "closing", token: token) { $0.contains { $0.type == "text-delta" } }
            // A live reader, following from the last chunk it saw, while the session is closed.
            let reader = Task { try await client.readEvents(chatId: "closing", token: token, lastEventId: streaming.last?.id) { _ in false } }
            #expect(try await client.send(.POST, "/api/v1/sessions/closing/close", token: daemon.secretKey).status == 200)
            let events = try await reader.value
            #expect(events.contains { $0.type == "abort" })
            #expect(events.last?.type == "data-turn-complete")
            #expect(!(streaming.text + events.text).hasSuffix(" 1000"), "the answer was cut short")
        }
    }

    @Test func anIdleSessionLeavesMemoryAndWakesOnItsNextInput() async throws {
        try await withDaemon(arguments: ["--idle-timeout", "0.3"]) { daemon, client in
            let token = try await client.createSession("sleepy", secret: daemon.secretKey).token
            try await client.sendMessage("first", chatId: "sleepy", token: token)
            // Wait without holding a stream open: an open stream keeps a session in memory.
            for _ in 0..<100 {
                let info = try await client.send(.GET, "/api/v1/sessions/sleepy", token: daemon.secretKey)
                if info.json?["status"]?.stringValue == "idle" { break }
                try await Task.sleep(for: .milliseconds(50))
            }

            var live = -1
            for _ in 0..<100 where live != 0 {
                try await Task.sleep(for: .milliseconds(100))
                let metrics = try await client.send(.GET, "/metrics", token: nil).body
                live = metrics.split(separator: "\n").first { $0.hasPrefix("agent_host_live_sessions ") }
                    .flatMap { Double($0.split(separator: " ")[1]).map { Int($0) } } ?? -1
            }
            #expect(live == 0)

            let seq = try await client.sendMessage("second", chatId: "sleepy", token: token)
            let all = try await client.readEvents(chatId: "sleepy", token: token) { $0.completedTurns() == 2 }
            // The woken session continued the same log: the new input follows the first turn's last seq.
            let firstTurnEnd = try #require(all.first { $0.type == "data-turn-complete" }?.id)
            #expect(seq == firstTurnEnd + 1)
            #expect(all.text == "You said: firstYou said: second")
        }
    }
}
