import AgentWire
import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Loading a build can't take the daemon down: files that would crash or hang
/// `dlopen` (cut off, a FIFO) are refused before it, the daemon listens before
/// it loads, and a build that killed or hung a start is not loaded again.
@Suite struct LoadHardeningTests {
    /// The first 4 KB of a real plugin: a valid ELF header whose segments lie
    /// past the end of the file (`dlopen` would die with SIGBUS on it).
    private static func truncatedPlugin() throws -> Data {
        try Data(contentsOf: DaemonProcess.myChatPlugin).prefix(4096)
    }

    /// The reason `GET /api/v1/agents` gives for refusing `file`, once it is listed.
    private func refusalReason(of file: String, daemon: DaemonProcess) async throws -> String {
        let agents = try await daemon.client.waitForAgents(secret: daemon.secretKey) { agents in
            agents.refusal(of: file) != nil
        }
        return agents.refusal(of: file) ?? ""
    }

    /// One whole `/slow` answer on my-chat, read while `during` runs.
    private func streamWhile(
        _ daemon: DaemonProcess, chatId: String, during: () async throws -> Void
    ) async throws -> [TestEvent] {
        let client = daemon.client
        let token = try await client.createSession(chatId, secret: daemon.secretKey).token
        try await client.sendMessage("/slow 200", chatId: chatId, token: token)
        let firstWords = try await client.readEvents(chatId: chatId, token: token) { $0.text.contains("1 2 3") }
        try await during()
        let rest = try await client.readEvents(chatId: chatId, token: token, lastEventId: firstWords.last?.id) {
            $0.completedTurns() == 1
        }
        return firstWords + rest
    }

    private static let slowAnswer = (1...200).map(String.init).joined(separator: " ")

    @Test func aTruncatedBuildIsRefusedAtStartAndWhenDroppedWhileStreamsGoOn() async throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        try daemon.drop(try Self.truncatedPlugin(), as: "libCutAtStart.so")
        try daemon.start()

        let atStart = try await refusalReason(of: "libCutAtStart.so", daemon: daemon)
        #expect(atStart.hasPrefix("is truncated: loadable segment "), "\(atStart)")
        #expect(atStart.hasSuffix("extends past the end of the file (4096 bytes)"), "\(atStart)")

        let events = try await streamWhile(daemon, chatId: "steady") {
            try daemon.drop(try Self.truncatedPlugin(), as: "libCutWhileRunning.so")
            let whileRunning = try await refusalReason(of: "libCutWhileRunning.so", daemon: daemon)
            #expect(whileRunning.hasPrefix("is truncated: loadable segment "), "\(whileRunning)")
        }
        #expect(events.text == Self.slowAnswer, "the healthy stream lost nothing")
        #expect(events.filter { $0.type == "finish" }.count == 1)
        #expect(daemon.process.isRunning)
        let agents = try await daemon.client.waitForAgents(secret: daemon.secretKey) { _ in true }
        #expect(agents.generations(of: "my-chat").count == 1)
    }

    @Test func aFIFOInTheDropDirectoryHangsNeitherTheStartNorTheWatcher() async throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        #expect(mkfifo(daemon.pluginsDirectory.appendingPathComponent("x.so").path, 0o644) == 0)
        // Returns once the start-up builds are loaded: the FIFO did not block the scan.
        try daemon.start()
        #expect(try await refusalReason(of: "x.so", daemon: daemon) == "is not a regular file")

        let events = try await streamWhile(daemon, chatId: "steady") {
            // Renamed in, as a deploy would: the watcher hands it to the registry.
            let outside = daemon.dataDirectory.appendingPathComponent("y.so")
            #expect(mkfifo(outside.path, 0o644) == 0)
            #expect(rename(outside.path, daemon.pluginsDirectory.appendingPathComponent("y.so").path) == 0)
            let whileRunning = try await refusalReason(of: "y.so", daemon: daemon)
            #expect(whileRunning == "is not a regular file")
        }
        #expect(events.text == Self.slowAnswer)

        // The next start, with both FIFOs still there, starts and serves too.
        try daemon.crashAndRestart()
        #expect(try await refusalReason(of: "y.so", daemon: daemon) == "is not a regular file")
        let again = try await streamWhile(daemon, chatId: "after-restart") {}
        #expect(again.text == Self.slowAnswer)
    }

    /// A C build whose constructor runs `body` when `dlopen` maps it, before any entry function.
    private static func buildRunningInConstructor(_ body: String, named name: String) throws -> URL {
        let source = """
            #include <signal.h>
            #include <stdlib.h>
            #include <unistd.h>
            __attribute__((constructor)) static void on_load(void) { \(body) }
            """
        return try CCompiler.sharedLibrary(source: source, named: name, in: try CCompiler.temporaryDirectory())
    }

    @Test func aBuildThatKilledTheDaemonWhileLoadingIsRefusedAtTheNextStartsUntilReplaced() async throws {
        let crashing = try Self.buildRunningInConstructor("abort();", named: "libAbortOnLoad.so")
        // No crash backtrace: the abort should end the process at once.
        // In-process: the build's constructor runs in the daemon (in a worker it costs the worker only).
        let daemon = try DaemonProcess(
            plugins: [crashing, DaemonProcess.myChatPlugin], environment: ["SWIFT_BACKTRACE": "enable=no"],
            arguments: ["--isolation", "in-process"]
        )
        defer { daemon.stop() }

        let first = try daemon.runUntilExit()
        #expect(first.reason == .uncaughtSignal && first.status == SIGABRT, "\(first.log)")

        try daemon.start()
        let reason = try await refusalReason(of: "libAbortOnLoad.so", daemon: daemon)
        #expect(reason.hasPrefix("killed or hung the daemon while loading at "), "\(reason)")
        #expect(reason.hasSuffix("; refused until a different build is dropped"))
        let served = try await streamWhile(daemon, chatId: "after-crash") {}
        #expect(served.text == Self.slowAnswer)

        // Remembered across restarts, not only at the start right after the crash.
        try daemon.crashAndRestart()
        #expect(try await refusalReason(of: "libAbortOnLoad.so", daemon: daemon) == reason)

        // A different build under that name is loaded, and stays loadable after a restart.
        try daemon.drop(try Data(contentsOf: DaemonProcess.plugin("CTools")), as: "libAbortOnLoad.so")
        let replaced = try await daemon.client.waitForAgents(secret: daemon.secretKey) { $0.activeGeneration(of: "c-tools") != nil }
        #expect(replaced.refusal(of: "libAbortOnLoad.so") == nil)
        try daemon.crashAndRestart()
        let afterRestart = try await daemon.client.waitForAgents(secret: daemon.secretKey) { _ in true }
        #expect(afterRestart.activeGeneration(of: "c-tools") != nil)
        #expect(afterRestart.refusal(of: "libAbortOnLoad.so") == nil)
    }

    @Test func inAWorkerABuildThatAbortsOrHangsWhileLoadingIsRefusedAndTheDaemonNeverStops() async throws {
        let crashing = try Self.buildRunningInConstructor("abort();", named: "libAbortOnLoad.so")
        let hanging = try Self.buildRunningInConstructor("for (;;) pause();", named: "libHangOnLoad.so")
        let daemon = try DaemonProcess(
            plugins: [crashing, hanging, DaemonProcess.myChatPlugin], arguments: ["--worker-load-timeout", "1"]
        )
        defer { daemon.stop() }
        try daemon.start()
        #expect(try await refusalReason(of: "libAbortOnLoad.so", daemon: daemon).contains("killed by signal 6"))
        #expect(try await refusalReason(of: "libHangOnLoad.so", daemon: daemon).contains("did not finish loading within"))
        let served = try await streamWhile(daemon, chatId: "isolated") {}
        #expect(served.text == Self.slowAnswer)
        #expect(daemon.process.isRunning)
    }

    @Test func aBuildThatHungTheStartIsRefusedAfterARestartAndHealthzAnsweredMeanwhile() async throws {
        let hanging = try Self.buildRunningInConstructor("for (;;) pause();", named: "libHangOnLoad.so")
        let daemon = try DaemonProcess(plugins: [hanging, DaemonProcess.myChatPlugin], arguments: ["--isolation", "in-process"])
        defer { daemon.stop() }
        try daemon.start(waitingForPlugins: false)

        // The journal names the build the daemon is stuck in.
        let journal = daemon.dataDirectory.appendingPathComponent("load-journal.json")
        try await waitUntil {
            let text = FileManager.default.contents(atPath: journal.path).map { String(decoding: $0, as: UTF8.self) }
            let json = text.flatMap { try? WireCoding.decode(JSONValue.self, from: $0) }
            return json?["loading"]?["file"]?.stringValue == "libHangOnLoad.so"
        }
        let health = try await daemon.client.send(.GET, "/healthz", token: nil)
        #expect(health.status == 200)
        #expect(health.json?["plugins"]?.stringValue == "loading")

        // The operator kills the hung daemon; the next start refuses the build and serves.
        try daemon.crashAndRestart()
        let reason = try await refusalReason(of: "libHangOnLoad.so", daemon: daemon)
        #expect(reason.hasPrefix("killed or hung the daemon while loading at "), "\(reason)")
        let ready = try await daemon.client.send(.GET, "/healthz", token: nil)
        #expect(ready.json?["plugins"]?.stringValue == "ready")
        let served = try await streamWhile(daemon, chatId: "after-hang") {}
        #expect(served.text == Self.slowAnswer)
    }
    /// The daemon listens before its builds load; a turn the last run left
    /// cut off waits for its agent instead of failing as an unknown agent.
    @Test func anInterruptedTurnResumesOnceItsAgentLoadsAfterTheDaemonListens() async throws {
        let daemon = try DaemonProcess(environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "5"])
        defer { daemon.stop() }
        try daemon.start()
        let token = try await daemon.client.createSession("resume", secret: daemon.secretKey).token
        // Held after "1 2 3" until the gate opens, after the restart: the kill lands mid-answer.
        let gate = TurnGate(directory: daemon.dataDirectory)
        try await daemon.client.sendMessage(gate.slow(60), chatId: "resume", token: token)
        let seenBeforeCrash = try await daemon.client.readEvents(chatId: "resume", token: token) { $0.text.contains("1 2 3") }
        daemon.kill9()

        // Sorted before libMyChat.so: my-chat loads only after this build's two-second constructor.
        let slow = try Self.buildRunningInConstructor("sleep(2);", named: "libASlowLoad.so")
        try FileManager.default.copyItem(at: slow, to: daemon.pluginsDirectory.appendingPathComponent("libASlowLoad.so"))
        try daemon.start(waitingForPlugins: false)
        gate.open()
        // Read at once: this wakes the session while the builds may still be loading.
        let after = try await daemon.client.readEvents(chatId: "resume", token: token, lastEventId: seenBeforeCrash.last?.id) {
            $0.completedTurns() == 1
        }
        let everything = seenBeforeCrash + after
        #expect(everything.filter { $0.type == "data-interrupted" }.count == 1)
        #expect(!everything.contains { $0.type == "error" }, "\(everything.map(\.data))")
        #expect(everything.text == (1...60).map(String.init).joined(separator: " "))
    }
}

extension JSONValue {
    /// The reason listed in a `GET /api/v1/agents` reply for refusing `file`, if it is refused.
    fileprivate func refusal(of file: String) -> String? {
        self["refusals"]?.arrayValue?.first { $0["file"]?.stringValue == file }?["reason"]?.stringValue
    }
}
