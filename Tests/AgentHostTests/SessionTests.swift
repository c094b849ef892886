@testable import AgentHost
import AgentWire
import Foundation
import Logging
import TestSupport
import Testing

/// The `Session` actor and the directory that owns it, in process: inputs,
/// turns, queueing, stop, close, idempotency, eviction and recovery, with a
/// real plugin, real SQLite and the scripted model — no daemon, no HTTP.
@Suite struct SessionTests {
    @Test func aMessageIsAnsweredAndTheSessionGoesBackToIdle() async throws {
        let host = try await HostFixture()
        defer { host.remove() }
        let session = try await host.session("a")
        var reader = RecordReader(try await session.subscribe())
        let seq = try await session.submit(HostFixture.message("hello world"), idempotencyKey: nil)
        #expect(seq == 1)
        try await reader.readTurn(inSeq: seq)

        let texts = reader.chunks.compactMap { chunk -> String? in
            if case .textDelta(_, let delta) = chunk { delta } else { nil }
        }
        #expect(texts.joined() == "You said: hello world")
        #expect(reader.chunks.first?.control == .turnStart(inSeq: 1))
        #expect(reader.chunks.contains(.finish(finishReason: .stop)))
        // Persisted before published: storage holds everything the reader saw.
        let stored = try await host.storage.records(chatId: "a", after: 0, upTo: nil)
        let seen = reader.records.map { [String($0.seq), $0.kind.rawValue, $0.body] }
        #expect(seen == stored.filter(\.isStreamed).map { [String($0.seq), $0.kind.rawValue, $0.body] })

        try await waitUntil { await session.info.status == .idle }
        let (messages, lastSeq) = await session.messages
        #expect(messages.map(\.role) == ["user", "assistant"])
        #expect(messages.last?.text == "You said: hello world")
        #expect(lastSeq == stored.last?.seq)
    }

    @Test func inputsDuringATurnAreAnsweredInOrderEachOnce() async throws {
        let host = try await HostFixture()
        defer { host.remove() }
        let session = try await host.session("q")
        var reader = RecordReader(try await session.subscribe())
        var seqs: [Int64] = []
        for text in ["one", "two", "three"] {
            seqs.append(try await session.submit(HostFixture.message(text), idempotencyKey: nil))
        }
        try await reader.readTurn(inSeq: seqs[2])
        let starts = reader.chunks.compactMap { chunk -> Int64? in
            if case .turnStart(let inSeq)? = chunk.control { inSeq } else { nil }
        }
        #expect(starts == seqs)
        let answers = await session.messages.messages.filter { $0.role == "assistant" }.map(\.text)
        #expect(answers == ["You said: one", "You said: two", "You said: three"])
    }

    @Test func aStopEndsTheRunningTurnWithAbortAndTheNextMessageIsAnswered() async throws {
        let host = try await HostFixture(scriptedDelayMilliseconds: 20)
        defer { host.remove() }
        let session = try await host.session("s")
        var reader = RecordReader(try await session.subscribe())
        let slow = try await session.submit(HostFixture.message("/slow 500"), idempotencyKey: nil)
        try await reader.read { $0.contains { if case .textDelta = $0 { true } else { false } } }
        _ = try await session.submit(InputRecord(kind: .stop), idempotencyKey: nil)
        try await reader.readTurn(inSeq: slow)
        #expect(reader.chunks.contains(.abort))
        #expect(!reader.chunks.contains { if case .finish = $0 { true } else { false } })

        let next = try await session.submit(HostFixture.message("again"), idempotencyKey: nil)
        try await reader.readTurn(inSeq: next)
        #expect(await session.messages.messages.last?.text == "You said: again")
    }

    @Test func aRepeatedIdempotencyKeyReturnsTheFirstSeqAndStartsNoSecondTurn() async throws {
        let host = try await HostFixture()
        defer { host.remove() }
        let session = try await host.session("i")
        // A retry sends the same body (the same message id too): another body is a 422.
        let first = try await session.submit(HostFixture.message("once", id: "m-once"), idempotencyKey: "k1")
        let again = try await session.submit(HostFixture.message("once", id: "m-once"), idempotencyKey: "k1")
        #expect(first == again)
        try await waitUntil { await session.info.status == .idle }
        #expect(await session.messages.messages.count == 2)
        // A fresh actor (after eviction) still finds the key in storage.
        #expect(await session.evictIfIdle(idleFor: .zero))
        let seq = try await host.sessions.withSession("i") { try await $0.submit(HostFixture.message("once", id: "m-once"), idempotencyKey: "k1") }
        #expect(seq == first)
        let queued = try await host.sessions.session("i").info.queuedInputs
        #expect(queued == 0)
        #expect(try await host.storage.records(chatId: "i", after: 0, upTo: nil).filter { $0.kind == .input }.count == 1)
    }

    @Test func concurrentRetriesWithOneKeyAllGetTheFirstSeqWhileATurnRuns() async throws {
        let host = try await HostFixture()
        defer { host.remove() }
        let session = try await host.session("burst")
        _ = try await session.submit(HostFixture.message("/slow 50"), idempotencyKey: nil)
        for round in 0..<20 {
            let seqs = try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await session.submit(HostFixture.message("burst \(round)", id: "m-\(round)"), idempotencyKey: "key-\(round)")
                    }
                }
                return try await group.reduce(into: Set<Int64>()) { $0.insert($1) }
            }
            #expect(seqs.count == 1, "round \(round)")
        }
    }

    @Test func aClosedSessionRefusesInputAndEndsItsStreams() async throws {
        let host = try await HostFixture()
        defer { host.remove() }
        let session = try await host.session("c")
        let subscription = try await session.subscribe()
        try await session.close()
        #expect(await session.info.status == .closed)
        await #expect(throws: AgentHostError.sessionClosed("c")) {
            try await session.submit(HostFixture.message("late"), idempotencyKey: nil)
        }
        var batches = 0
        for try await _ in subscription.records { batches += 1 }
        #expect(batches == 0)
        #expect(try await host.storage.session(chatId: "c")?.status == .closed)
        // Closing twice is fine.
        try await session.close()
    }

    @Test func anEvictedSessionIsRebuiltFromItsLogOnTheNextInput() async throws {
        let host = try await HostFixture()
        defer { host.remove() }
        let session = try await host.session("e")
        let first = try await session.submit(HostFixture.message("first"), idempotencyKey: nil)
        try await waitUntil { await session.info.status == .idle }
        // An open stream holds the session in memory; once its reader is gone it may leave.
        let subscription = try await session.subscribe()
        let reading = Task { for try await _ in subscription.records {} }
        #expect(await !session.evictIfIdle(idleFor: .zero))
        reading.cancel()
        try await waitUntil { await session.evictIfIdle(idleFor: .zero) }
        await #expect(throws: Session.Evicted.self) { try await session.submit(HostFixture.message("x"), idempotencyKey: nil) }
        await #expect(throws: Session.Evicted.self) { try await session.subscribe() }

        // The directory notices and answers on a fresh actor rebuilt from the log.
        let second = try await host.sessions.withSession("e") { try await $0.submit(HostFixture.message("second"), idempotencyKey: nil) }
        let fresh = try await host.sessions.session("e")
        #expect(fresh !== session)
        try await waitUntil { await fresh.info.status == .idle }
        let texts = await fresh.messages.messages.map(\.text)
        #expect(texts == ["first", "You said: first", "second", "You said: second"])
        #expect(second > first)
    }

    @Test func aTurnCutOffMidStepIsResumedWhenTheSessionIsLoaded() async throws {
        let host = try await HostFixture()
        defer { host.remove() }
        _ = try await host.sessions.create(chatId: "r", agent: "my-chat", clientData: nil, metadata: nil)
        // The log as a daemon killed mid-answer leaves it: the input, the turn's
        // opening, a step with two words streamed, and nothing after.
        let input = try WireCoding.encodeString(HostFixture.message("/slow 4", id: "u1"))
        let chunks: [(LogRecord.Kind, JSONValue)] = [
            (.control, ControlPart.turnStart(inSeq: 1).chunk.json),
            (.output, UIChunk.start(messageId: "msg-1-r").json),
            (.output, UIChunk.startStep.json),
            (.output, UIChunk.textStart(id: "text-1").json),
            (.output, UIChunk.textDelta(id: "text-1", delta: "1").json),
            (.output, UIChunk.textDelta(id: "text-1", delta: " 2").json),
        ]
        var records = [LogRecord(chatId: "r", seq: 1, kind: .input, body: input)]
        for (offset, (kind, body)) in chunks.enumerated() {
            records.append(LogRecord(chatId: "r", seq: Int64(offset + 2), kind: kind, body: body.jsonText))
        }
        try await host.storage.append(records, statuses: [StatusChange(chatId: "r", status: .running)])

        #expect(try await host.sessions.recoverInterruptedSessions() == 1)
        let session = try await host.sessions.session("r")
        try await waitUntil { await session.info.status == .idle }
        let stored = try await host.storage.records(chatId: "r", after: 7, upTo: nil)
        let resumed = stored.compactMap { (try? WireCoding.decode(JSONValue.self, from: $0.body)).flatMap(UIChunk.init(json:)) }
        #expect(resumed.first?.control == .interrupted(inSeq: 1))
        // The answer goes on inside the same text part, exactly once.
        #expect(await session.messages.messages.last?.text == "1 2 3 4")
        #expect(resumed.last?.control == .turnComplete(inSeq: 1))
        #expect(!resumed.contains(.startStep))

        // The log recovery left — interrupted, resumed, completed — wakes from a
        // snapshot taken at any point of it into the same history as a whole fold.
        let log = try await host.storage.records(chatId: "r", after: 0, upTo: nil)
        let whole = MessageHistory(records: log)
        let end = log.last?.seq ?? 0
        #expect(whole.messages == (await session.messages.messages))
        for split in 0...log.count {
            let head = MessageHistory(records: Array(log[..<split]))
            let stored = try HistorySnapshot(chatId: "r", history: head.snapshot(throughSeq: split == 0 ? 0 : log[split - 1].seq))
            let woken = MessageHistory(snapshot: try stored.history(), records: Array(log[split...]))
            #expect(woken.snapshot(throughSeq: end) == whole.snapshot(throughSeq: end), "split after record \(split)")
            // As a session wakes: the messages encoded until read.
            let (rest, messages) = try stored.encodedHistory()
            var lazy = SessionHistory(snapshot: rest, messages: messages, records: Array(log[split...]), logger: Logger(label: "test"))
            #expect(lazy.turnInProgress == whole.turnInProgress && lazy.pendingInputs.isEmpty, "split after record \(split)")
            #expect(lazy.decoded { $0.snapshot(throughSeq: end) } == whole.snapshot(throughSeq: end), "split after record \(split)")
        }
    }

    @Test func anAgentGetsTheNewestMessageAndReadsThePastOnlyWhenItAsks() async throws {
        let host = try await HostFixture(plugins: ["UpgradeDemoV1"])
        defer { host.remove() }
        let session = try await host.session("h", agent: "upgrade-demo")
        var reader = RecordReader(try await session.subscribe())
        var seq: Int64 = 0
        for text in ["alpha", "beta", "/history"] {
            seq = try await session.submit(HostFixture.message(text), idempotencyKey: nil)
            try await reader.readTurn(inSeq: seq)
        }
        let reported = reader.chunks.compactMap { chunk -> JSONValue? in
            if case .data("history", let data, _, _) = chunk { data } else { nil }
        }
        // Five messages: two turns of question and answer, then `/history`.
        #expect(reported == [["count": 5, "loaded": 5, "userTexts": ["alpha", "beta", "/history"]]])
    }

    @Test func aLongSessionAnswersEveryTurnAndWakesFromItsSnapshotUnchanged() async throws {
        let host = try await HostFixture()
        defer { host.remove() }
        let session = try await host.session("long")
        var reader = RecordReader(try await session.subscribe())
        let turns = 2000
        for turn in 1...turns {
            let seq = try await session.submit(HostFixture.message("hello \(turn)"), idempotencyKey: nil)
            try await reader.readTurn(inSeq: seq)
        }
        try await waitUntil { await session.info.status == .idle }
        let before = await session.messages
        #expect(before.messages.count == 2 * turns)
        #expect(before.messages.last?.text == "You said: hello \(turns)")

        // Leaving memory writes a snapshot; waking reads it and only the records after it.
        reader = RecordReader(LiveSubscription(records: .finished(), publishedThrough: 0))
        try await waitUntil { await host.sessions.evictIdle(idleFor: .zero) == 1 }
        try await waitUntil { try await host.storage.snapshot(chatId: "long")?.throughSeq == before.lastSeq }
        let woken = try await host.sessions.session("long")
        #expect(woken !== session)
        // Woken, it knows where its log ends without having built a message.
        #expect(await woken.info.lastSeq == before.lastSeq)
        #expect(await !woken.historyIsDecoded)

        // The first turn after the wake sees the whole past: the scripted model
        // names its tool call after the length of the conversation it is given.
        reader = RecordReader(try await woken.subscribe())
        let next = try await woken.submit(HostFixture.message("/tool nope {}"), idempotencyKey: nil)
        #expect(next == before.lastSeq + 1)
        try await reader.readTurn(inSeq: next)
        let calls = reader.chunks.compactMap { chunk -> String? in
            if case .toolInputAvailable(let callId, _, _) = chunk { callId } else { nil }
        }
        #expect(calls == ["call_\(2 * turns + 1)"])
        try await waitUntil { await woken.info.status == .idle }
        let after = await woken.messages
        #expect(Array(after.messages.prefix(2 * turns)) == before.messages)
        #expect(after.messages.count == 2 * turns + 2)
        #expect(after.messages[2 * turns].text == "/tool nope {}")
    }

    @Test func inputsArrivingWhileTheSessionIsEvictedOverAndOverGetDistinctSeqs() async throws {
        let host = try await HostFixture()
        defer { host.remove() }
        _ = try await host.session("hammer")
        let senders = 8, perSender = 40
        let evicting = Task {
            var evictions = 0
            while !Task.isCancelled {
                evictions += await host.sessions.evictIdle(idleFor: .zero)
                await Task.yield()
            }
            return evictions
        }
        // `stop` inputs start no turn: between them the session is idle, and evictable.
        let seqs = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for _ in 0..<senders {
                group.addTask {
                    var mine: [Int64] = []
                    for _ in 0..<perSender {
                        mine.append(try await host.sessions.withSession("hammer") {
                            try await $0.submit(InputRecord(kind: .stop), idempotencyKey: nil)
                        })
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        evicting.cancel()
        #expect(await evicting.value > 0, "the session was never evicted: the test proved nothing")
        #expect(Set(seqs).count == senders * perSender)
        let stored = try await host.storage.records(chatId: "hammer", after: 0, upTo: nil).map(\.seq)
        #expect(stored == Array(1...Int64(senders * perSender)))
    }
}
