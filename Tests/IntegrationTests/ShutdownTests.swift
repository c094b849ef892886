import AgentHostClient
import Foundation
import TestSupport
import Testing

/// SIGTERM ends the daemon even while readers hold streams open, and a reader
/// sees a dropped connection (to resume from), not the clean end that means
/// "session closed". A turn running at the signal gets `--shutdown-grace` to
/// finish, with its reader still connected; one that does not is resumed by
/// the next start.
@Suite struct ShutdownTests {
    @Test func sigtermWithAnOpenStreamExitsCleanlyAndTheReaderSeesADrop() async throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        try daemon.start()
        let token = try await daemon.client.createSession("held", secret: daemon.secretKey).token
        let reader = daemon.client.using(token: token)
        let firstSeq = try await daemon.client.sendMessage("hello", chatId: "held", token: token)
        let stream = try await reader.output("held", after: 0)
        let reading = Task { () -> Result<Int64, any Error> in
            var last: Int64 = 0
            do {
                for try await event in stream { last = event.id }
                return .success(last)
            } catch {
                return .failure(error)
            }
        }
        // The reader is connected and past the first turn's records.
        _ = try await daemon.client.readEvents(chatId: "held", token: token) { $0.completedTurns() == 1 }
        #expect(firstSeq == 1)

        daemon.process.terminate()
        try await waitUntil { !daemon.process.isRunning }
        #expect(daemon.process.terminationReason == .exit)
        #expect(daemon.process.terminationStatus == 0)
        guard case .failure = await reading.value else {
            Issue.record("the stream ended cleanly, which a client reads as a closed session")
            return
        }
    }

    /// The events of an SSE response as a raw socket received it, and whether
    /// it ended cleanly (the last chunk of a chunked body) or was cut. A raw
    /// socket keeps every byte the daemon sent before it closed; an HTTP client
    /// may drop what it parsed but the test had not read yet once the body fails.
    private static func events(of connection: RawConnection) -> (events: [TestEvent], endedCleanly: Bool) {
        let text = connection.text
        let events = text.split(separator: "\n").compactMap { line -> TestEvent? in
            let line = line.hasSuffix("\r") ? line.dropLast() : line[...]
            guard line.hasPrefix("data: ") else { return nil }
            return TestEvent(id: 0, data: String(line.dropFirst("data: ".count)))
        }
        return (events, text.hasSuffix("\r\n0\r\n\r\n"))
    }

    private static func shuttingDown(_ daemon: DaemonProcess) async -> Bool {
        guard let health = try? await daemon.client.send(.GET, "/healthz", token: nil) else { return false }
        return health.status == 503 && health.json?["status"]?.stringValue == "shutting-down"
    }

    @Test func aTurnRunningAtSigtermFinishesWithinTheGraceAndItsReaderGetsItWhole() async throws {
        let daemon = try DaemonProcess(arguments: ["--shutdown-grace", "120"])
        defer { daemon.stop() }
        try daemon.start()
        let gate = TurnGate(directory: daemon.dataDirectory)
        let token = try await daemon.client.createSession("finishing", secret: daemon.secretKey).token
        try await daemon.client.sendMessage(gate.slow(20), chatId: "finishing", token: token)
        let reader = try RawConnection(port: try #require(daemon.port))
        #expect(reader.send("GET /realtime/v1/sessions/finishing/out HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n\r\n"))
        try await waitUntil {
            reader.poll()
            return Self.events(of: reader).events.filter { $0.type == "text-delta" }.count == 3
        }

        daemon.process.terminate()
        // The daemon says so while it waits for the turn, and keeps serving.
        try await waitUntil { await Self.shuttingDown(daemon) }
        #expect(daemon.process.isRunning)
        gate.open()
        try await waitUntil { !daemon.process.isRunning }
        #expect(daemon.process.terminationReason == .exit)
        #expect(daemon.process.terminationStatus == 0)

        // The reader got the whole answer and its end, then the drop.
        try await waitUntil {
            reader.poll()
            return reader.isClosed
        }
        let (events, endedCleanly) = Self.events(of: reader)
        #expect(!endedCleanly, "a clean end reads as a closed session")
        #expect(events.text == (1...20).map(String.init).joined(separator: " "))
        #expect(events.map(\.type).suffix(2) == ["finish", "data-turn-complete"])

        // Nothing is left to resume: the next start does not interrupt the turn.
        try daemon.start()
        let again = try await daemon.client.readEvents(chatId: "finishing", token: token) { $0.completedTurns() == 1 }
        #expect(!again.contains { $0.type == "data-interrupted" })
        #expect(again.text == events.text)
    }

    @Test(arguments: ["the grace ends", "a second signal"])
    func aTurnStillRunningWhenTheDaemonStopsIsResumedByTheNextStart(when: String) async throws {
        let grace = when == "the grace ends" ? "0.5" : "120"
        let daemon = try DaemonProcess(arguments: ["--shutdown-grace", grace])
        defer { daemon.stop() }
        try daemon.start()
        let gate = TurnGate(directory: daemon.dataDirectory)
        let token = try await daemon.client.createSession("cut", secret: daemon.secretKey).token
        try await daemon.client.sendMessage(gate.slow(20), chatId: "cut", token: token)
        _ = try await daemon.client.readEvents(chatId: "cut", token: token) { $0.filter { $0.type == "text-delta" }.count == 3 }

        daemon.process.terminate()
        if when == "a second signal" {
            try await waitUntil { await Self.shuttingDown(daemon) }
            daemon.process.terminate()
        }
        try await waitUntil { !daemon.process.isRunning }
        #expect(daemon.process.terminationStatus == 0)

        try daemon.start()
        gate.open()
        let events = try await daemon.client.readEvents(chatId: "cut", token: token) { $0.completedTurns() == 1 }
        #expect(events.filter { $0.type == "data-interrupted" }.count == 1)
        #expect(events.text == (1...20).map(String.init).joined(separator: " "))
        #expect(events.last { $0.type == "finish" }?.json["finishReason"]?.stringValue == "stop")
    }
}
