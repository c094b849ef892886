import AgentHostClient
import Foundation
import TestSupport
import Testing

/// SIGTERM ends the daemon even while readers hold streams open, and a reader
/// sees a dropped connection (to resume from), not the clean end that means
/// "session closed".
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
}
