import AgentHostClient
import AgentWire
import Foundation
import TestSupport
import Testing

/// Storage fails under a running daemon: a full database (SQLite's own
/// `SQLITE_FULL`, through the test-only `AGENT_HOST_TEST_STORAGE_FULL_FILE`)
/// and a deleted data directory. Nothing is acknowledged that is not stored,
/// readers hear that a turn was cut off, `/healthz` says so, and the session
/// carries on once storage takes writes again.
@Suite struct StorageFailureTests {
    /// The file whose existence makes the daemon's database full.
    private static func fullSwitch() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("agent-host-full-\(UUID().uuidString)")
    }

    private static let answer = (1...40).map(String.init).joined(separator: " ")

    /// Opens a reader on the session's stream that collects until a `data-turn-complete`,
    /// and waits until the daemon has it subscribed (its first records arrived).
    private static func reader(
        _ client: AgentHostClient, chatId: String, token: String
    ) -> (task: Task<[TestEvent], any Error>, seen: Task<Void, Never>) {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        let task = Task {
            try await client.readEvents(chatId: chatId, token: token) { events in
                if events.count == 3 { continuation.yield() }
                return events.last?.type == "data-turn-complete"
            }
        }
        let seen = Task { for await _ in stream { return } }
        return (task, seen)
    }

    private static func health(_ client: AgentHostClient) async throws -> DaemonReply {
        try await client.send(.GET, "/healthz", token: nil)
    }

    /// An input (message id `refused`, text `lost`) and a session creation both get `503 storage_unavailable`.
    private static func expectWritesRefused(_ client: AgentHostClient, chatId: String, token: String, secret: String) async throws {
        let refused = try await client.send(
            .POST, "/realtime/v1/sessions/\(chatId)/in", token: token,
            body: #"{"kind":"message","message":{"id":"refused","role":"user","parts":[{"type":"text","text":"lost"}]}}"#
        )
        #expect(refused.status == 503)
        #expect(refused.json?["error"]?["code"]?.stringValue == "storage_unavailable")
        #expect(refused.headers.first(name: "retry-after") != nil)
        #expect(try await client.createSession("\(chatId)-new", secret: secret).status == 503)
    }

    @Test func aTurnCutOffByAFullDatabaseEndsForItsReadersAndResumesWhenStorageTakesWritesAgain() async throws {
        let full = Self.fullSwitch()
        defer { try? FileManager.default.removeItem(at: full) }
        let gate = TurnGate()
        defer { gate.remove() }
        try await withDaemon(environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "5", "AGENT_HOST_TEST_STORAGE_FULL_FILE": full.path]) { daemon, client in
            let token = try await client.createSession("full", secret: daemon.secretKey).token
            #expect(try await Self.health(client).json?["storage"]?.stringValue == "ok")

            let reader = Self.reader(client, chatId: "full", token: token)
            // The answer holds after its third word until the gate opens.
            let inSeq = try await client.sendMessage(gate.slow(40), chatId: "full", token: token)
            await reader.seen.value
            // Streaming: the database fills under it.
            try Data().write(to: full)
            gate.open()
            let cutOff = try await reader.task.value

            // The live reader hears the end: an error naming the storage, then the turn's end.
            #expect(cutOff.suffix(2).map(\.type) == ["error", "data-turn-complete"])
            let errorText = cutOff.dropLast().last?.json["errorText"]?.stringValue ?? ""
            #expect(errorText.contains("could not be saved") && errorText.contains("full"), "\(errorText)")
            #expect(cutOff.last?.json["data"]?["inSeq"]?.doubleValue == Double(inSeq))
            // Both notices carry the last stored seq: a reader resuming after them misses nothing.
            let stored = try #require(cutOff.dropLast(2).last?.id)
            #expect(cutOff.suffix(2).allSatisfy { $0.id == stored })
            let seenText = cutOff.text
            #expect(Self.answer.hasPrefix(seenText) && seenText.count < Self.answer.count)

            // While storage refuses writes: /healthz says why, and an input is refused, not acknowledged.
            let unhealthy = try await Self.health(client)
            #expect(unhealthy.status == 503)
            #expect(unhealthy.json?["storage"]?["code"]?.stringValue == "storage_full")
            try await Self.expectWritesRefused(client, chatId: "full", token: token, secret: daemon.secretKey)

            // Storage comes back: /healthz says so, and the cut-off turn resumes from what was stored.
            try FileManager.default.removeItem(at: full)
            try await waitUntil { try await Self.health(client).status == 200 }
            let resumed = try await client.readEvents(chatId: "full", token: token, lastEventId: stored) { $0.completedTurns() == 1 }
            #expect(resumed.first?.type == "data-interrupted")
            #expect(resumed.last?.type == "data-turn-complete")
            #expect(!resumed.contains { $0.type == "error" })
            // Nothing twice, nothing missing: the answer is whole, across the cut.
            #expect(seenText + resumed.text == Self.answer)
            #expect(resumed.filter { $0.type == "finish" }.count == 1)

            // The session goes on; the refused input never became part of it.
            try await client.sendMessage("after", chatId: "full", token: token)
            let next = try await client.readEvents(chatId: "full", token: token, lastEventId: resumed.last?.id) { $0.completedTurns() == 1 }
            #expect(next.text == "You said: after")
            #expect(try await client.historyTexts(chatId: "full", token: token) == [gate.slow(40), Self.answer, "after", "You said: after"])
            let info = try await client.send(.GET, "/api/v1/sessions/full", token: daemon.secretKey)
            #expect(info.json?["status"]?.stringValue == "idle")
        }
    }

    @Test func aTurnCutOffByAFullDatabaseIsNotLeftStreamingAcrossARestart() async throws {
        let full = Self.fullSwitch()
        defer { try? FileManager.default.removeItem(at: full) }
        let daemon = try DaemonProcess(environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "5", "AGENT_HOST_TEST_STORAGE_FULL_FILE": full.path])
        try daemon.start()
        defer { daemon.stop() }
        let gate = TurnGate(directory: daemon.dataDirectory)
        var client = daemon.client
        let token = try await client.createSession("restart", secret: daemon.secretKey).token
        let reader = Self.reader(client, chatId: "restart", token: token)
        try await client.sendMessage(gate.slow(40), chatId: "restart", token: token)
        await reader.seen.value
        try Data().write(to: full)
        gate.open()
        let cutOff = try await reader.task.value
        #expect(cutOff.suffix(2).map(\.type) == ["error", "data-turn-complete"])

        // A crash while the disk is still full, and a start on it: the resume fails too, and says so.
        try daemon.crashAndRestart()
        client = daemon.client
        try await waitUntil { try await Self.health(client).status == 503 }

        try FileManager.default.removeItem(at: full)
        try await waitUntil {
            try await client.send(.GET, "/api/v1/sessions/restart", token: daemon.secretKey).json?["status"]?.stringValue == "idle"
        }
        #expect(try await Self.health(client).status == 200)
        let texts = try await client.historyTexts(chatId: "restart", token: token)
        #expect(texts == [gate.slow(40), Self.answer])
        let events = try await client.readEvents(chatId: "restart", token: token) { $0.completedTurns() == 1 }
        #expect(events.text == Self.answer)
        #expect(!events.contains { $0.type == "error" })
    }

    @Test func aDeletedDataDirectoryRefusesWritesInsteadOfAcknowledgingThem() async throws {
        try await withDaemon { daemon, client in
            let token = try await client.createSession("gone", secret: daemon.secretKey).token
            try await client.sendMessage("before", chatId: "gone", token: token)
            _ = try await client.readEvents(chatId: "gone", token: token) { $0.completedTurns() == 1 }

            try FileManager.default.removeItem(at: daemon.dataDirectory)
            try await Self.expectWritesRefused(client, chatId: "gone", token: token, secret: daemon.secretKey)

            let health = try await Self.health(client)
            #expect(health.status == 503)
            #expect(health.json?["storage"]?["code"]?.stringValue == "database_file_missing")
            // It does not pass: the file SQLite writes to is not the one the next start reads.
            let again = try await client.send(.POST, "/realtime/v1/sessions/gone/in", token: token, body: #"{"kind":"stop"}"#)
            #expect(again.status == 503)
        }
    }
}
