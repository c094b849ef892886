import AgentWire
import Foundation
import TestSupport
import Testing

/// The real daemon on PostgreSQL (`serve --database postgres://…`): the same
/// durability as on SQLite, and the sessions live in the database, not in the
/// data directory.
@Suite struct PostgresDaemonTests {
    @Test func aTurnCutByKill9ResumesAfterARestartAndAReaderResumesFromItsSeq() async throws {
        let url = try PostgresCluster.database()
        let daemon = try DaemonProcess(environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "5"], arguments: ["--database", url])
        try daemon.start()
        defer { daemon.stop() }
        let gate = TurnGate(directory: daemon.dataDirectory)
        #expect(daemon.log.contains("database: postgres://\(PostgresCluster.superuser)@127.0.0.1:"))
        var client = daemon.client
        let token = try await client.createSession("pg", secret: daemon.secretKey).token

        try await client.sendMessage("hello", chatId: "pg", token: token)
        let firstTurn = try await client.readEvents(chatId: "pg", token: token) { $0.completedTurns() == 1 }
        #expect(firstTurn.text == "You said: hello")

        // Held after its third word until the gate opens: the kill lands mid-answer.
        let slowSeq = try await client.sendMessage(gate.slow(60), chatId: "pg", token: token)
        let seenBeforeCrash = try await client.readEvents(chatId: "pg", token: token) { events in
            events.filter { $0.id > slowSeq && $0.type == "text-delta" }.count >= 3
        }
        try daemon.crashAndRestart()
        client = daemon.client
        gate.open()

        let everything = try await client.readEvents(chatId: "pg", token: token) { $0.completedTurns() == 2 }
        // Nothing seen before the kill changed; the cut turn resumed once and finished.
        #expect(Array(everything.prefix(seenBeforeCrash.count)) == seenBeforeCrash)
        #expect(everything.filter { $0.type == "data-interrupted" }.count == 1)
        #expect(everything.filter { $0.id > slowSeq }.text == (1...60).map(String.init).joined(separator: " "))
        #expect(everything.seqsIncrease)

        // A reader coming back with its Last-Event-ID gets exactly what it missed.
        let lastSeen = try #require(seenBeforeCrash.last?.id)
        let lastId = try #require(everything.last?.id)
        let resumed = try await client.readEvents(chatId: "pg", token: token, lastEventId: lastSeen) { $0.last?.id == lastId }
        #expect(resumed == everything.filter { $0.id > lastSeen })

        // The log is PostgreSQL's: dense seqs from 1, and no SQLite file beside the daemon.
        #expect(try PostgresCluster.psql(url, "SELECT count(*), min(seq), max(seq) FROM records WHERE chat_id = 'pg'")
            == "\(lastId)|1|\(lastId)")
        #expect(!FileManager.default.fileExists(atPath: daemon.dataDirectory.appendingPathComponent("agent-host.sqlite").path))
    }

    @Test func aDaemonWithAnotherDataDirectoryOnTheSameDatabaseCarriesTheSessionsOn() async throws {
        let url = try PostgresCluster.database()
        // One secret key for both, as two machines of one deployment would share it.
        let environment = ["AGENT_HOST_DATABASE_URL": url, "AGENT_HOST_SECRET_KEY": "sk_" + UUID().uuidString]
        let first = try DaemonProcess(environment: environment)
        try first.start()
        defer { first.stop() }
        let token = try await first.client.createSession("moved", secret: first.secretKey).token
        try await first.client.sendMessage("before", chatId: "moved", token: token)
        let before = try await first.client.readEvents(chatId: "moved", token: token) { $0.completedTurns() == 1 }
        first.kill9()

        let second = try DaemonProcess(environment: environment)
        try second.start()
        defer { second.stop() }
        let seq = try await second.client.sendMessage("after", chatId: "moved", token: token)
        let events = try await second.client.readEvents(chatId: "moved", token: token) { $0.completedTurns() == 2 }
        #expect(Array(events.prefix(before.count)) == before)
        #expect(events.text == "You said: beforeYou said: after")
        #expect(seq > (before.last?.id ?? .max))
        let history = try await second.client.send(.GET, "/realtime/v1/sessions/moved/messages", token: token)
        #expect(history.json?["messages"]?.arrayValue?.count == 4)
    }
}
