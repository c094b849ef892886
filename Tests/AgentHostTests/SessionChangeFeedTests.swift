@testable import AgentHost
import AgentWire
import Foundation
import Logging
import Testing
import TestSupport

/// The session change feed (`SessionChangeFeed`) on real sessions: events for
/// creation, status and messages, resuming after a cursor, a `reset` for a
/// cursor it does not hold, and a reader that falls behind is disconnected.
@Suite struct SessionChangeFeedTests {
    /// Reads `session` events of a feed subscription, decoded.
    struct Reader {
        var iterator: AsyncThrowingStream<SessionChangeFeed.Delivery, any Error>.AsyncIterator
        /// Every event read so far: its id and its JSON.
        var events: [(id: String, json: JSONValue)] = []

        init(_ stream: AsyncThrowingStream<SessionChangeFeed.Delivery, any Error>) {
            iterator = stream.makeAsyncIterator()
        }

        /// Reads until `done` holds for the events read so far.
        mutating func read(until done: ([(id: String, json: JSONValue)]) -> Bool) async throws {
            while !done(events) {
                guard let next = try await iterator.next() else { throw TestFailure("the feed ended: \(events.map(\.json))") }
                if case .event(let id, let data) = next { events.append((id, try WireCoding.decode(JSONValue.self, from: data))) }
            }
        }

        /// The `session` events of `chatId`.
        func sessions(_ chatId: String) -> [JSONValue] { Self.sessions(events, chatId) }

        /// The `session` events of `chatId` among `events`.
        static func sessions(_ events: [(id: String, json: JSONValue)], _ chatId: String) -> [JSONValue] {
            events.map(\.json).filter { $0["type"] == "session" && $0["session"]?["chatId"] == .string(chatId) }
        }
    }

    @Test func aSessionsCreationTurnAndAnswerArriveAsEventsWithItsListShape() async throws {
        let host = try await HostFixture()
        defer { host.remove() }
        var reader = Reader(await host.sessions.changes.subscribe(after: nil))
        try await reader.read { $0.count == 1 }
        #expect(reader.events[0].json == ["type": "reset"], "a subscriber without a cursor lists first")

        let session = try await host.session("inbox-a")
        try await reader.read { !Reader.sessions($0, "inbox-a").isEmpty }
        let created = try #require(reader.sessions("inbox-a").first)
        #expect(created["changes"]?.arrayValue?.contains("created") == true)
        #expect(created["session"]?["status"] == "idle")
        #expect(created["session"]?["agent"] == "my-chat")

        _ = try await session.submit(HostFixture.message("hello inbox"), idempotencyKey: nil)
        // Events of one session come in commit order: running, then idle with the answer.
        try await reader.read { events in
            let last = Reader.sessions(events, "inbox-a").last?["session"]
            return last?["lastMessage"]?["text"] == "You said: hello inbox" && last?["status"] == "idle"
        }
        let statuses = reader.sessions("inbox-a").compactMap { $0["session"]?["status"]?.stringValue }
        #expect(statuses.contains("running"))
        #expect(statuses.last == "idle")
        let last = try #require(reader.sessions("inbox-a").last)
        #expect(last["session"]?["lastMessage"]?["role"] == "assistant")
        // The answer's end is a `message` change (its status may follow in an event of its own).
        #expect(reader.sessions("inbox-a").contains {
            $0["changes"]?.arrayValue?.contains("message") == true && $0["session"]?["lastMessage"]?["role"] == "assistant"
        })
        // The user's message was the latest message while the answer ran.
        #expect(reader.sessions("inbox-a").contains { $0["session"]?["lastMessage"]?["text"] == "hello inbox" })

        // The event carries what the list shows for the session.
        let listed = try await host.sessions.summaries(of: host.sessions.list(agent: nil, status: nil, limit: 10, after: nil))
        let row = try #require(listed.first { $0.row.chatId == "inbox-a" })
        #expect(last["session"] == (try WireCoding.decode(JSONValue.self, from: WireCoding.encode(row))))

        try await session.close()
        try await reader.read { Reader.sessions($0, "inbox-a").last?["session"]?["status"] == "closed" }
    }

    @Test func aCursorResumesAfterItsEventAndAnUnknownCursorGetsAReset() async throws {
        let host = try await HostFixture()
        defer { host.remove() }
        let before = await host.sessions.changes.cursor
        for name in ["c-1", "c-2", "c-3"] { _ = try await host.session(name) }
        var all = Reader(await host.sessions.changes.subscribe(after: before))
        try await all.read { $0.count == 3 }
        #expect(all.events.map { $0.json["session"]?["chatId"]?.stringValue } == ["c-1", "c-2", "c-3"], "no reset: the cursor is held")

        var resumed = Reader(await host.sessions.changes.subscribe(after: all.events[0].id))
        try await resumed.read { $0.count == 2 }
        #expect(resumed.events.map { $0.json["session"]?["chatId"]?.stringValue } == ["c-2", "c-3"])
        #expect(resumed.events.map(\.id) == Array(all.events.map(\.id)[1...]))

        // A cursor of another run (a restarted daemon), or none that parses: list again.
        for cursor in ["0a1b2c3d-2", "nonsense"] {
            var stale = Reader(await host.sessions.changes.subscribe(after: cursor))
            try await stale.read { $0.count == 1 }
            #expect(stale.events[0].json == ["type": "reset"])
            #expect(stale.events[0].id == all.events[2].id, "the reset's id is the latest cursor")
        }
    }

    @Test func aReaderThatFallsBehindIsDisconnectedAndAnIdleOneGetsKeepAlives() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let storage = try SQLiteStorage(path: directory.appendingPathComponent("db.sqlite").path)
        let ticking = SessionChangeFeed(storage: storage, logger: Logger(label: "test"), heartbeat: .milliseconds(20))
        var idle = (await ticking.subscribe(after: nil)).makeAsyncIterator()
        #expect(try await idle.next().map { if case .event = $0 { true } else { false } } == true, "the reset")
        #expect(try await idle.next() == .idle, "a keep-alive tick while nothing happens")

        let feed = SessionChangeFeed(storage: storage, logger: Logger(label: "test"), subscriberLimit: 3, heartbeat: .seconds(3600))
        let stalled = await feed.subscribe(after: nil)
        for index in 1...6 {
            let chatId = "slow-\(index)"
            _ = try await storage.createSession(SessionRow(chatId: chatId, agent: "my-chat"))
            feed.note(chatId, [.created])
        }
        // Published while the reader reads nothing: more than its buffer holds.
        try await waitUntil { SessionChangeFeed.Cursor(await feed.cursor)?.number == 6 }
        var iterator = stalled.makeAsyncIterator()
        var read = 0
        await #expect(throws: SessionChangeFeed.FellBehind.self) {
            while let delivery = try await iterator.next() {
                if case .event = delivery { read += 1 }
            }
        }
        #expect(read <= 3, "it got what its buffer held, then the end")
        try await waitUntil { await feed.subscriberCount == 0 }
    }
}
