import Foundation
import Synchronization
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `agent-host chat`, run as a user runs it: a real process with piped stdin.
@Suite struct TerminalChatTests {
    /// A child process whose output is collected as it arrives.
    final class Child: Sendable {
        let process: Process
        private let input = Pipe()
        private let stdoutText = Collected()
        private let stderrText = Collected()

        final class Collected: Sendable {
            let text = Mutex("")
            func append(_ data: Data) { text.withLock { $0 += String(decoding: data, as: UTF8.self) } }
            var value: String { text.withLock { $0 } }
        }

        init(_ executable: URL, _ arguments: [String]) throws {
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            var environment = ProcessInfo.processInfo.environment
            environment["AGENT_HOST_SECRET_KEY"] = nil
            process.environment = environment
            let stdout = Pipe()
            let stderr = Pipe()
            process.standardInput = input
            process.standardOutput = stdout
            process.standardError = stderr
            self.process = process
            stdout.fileHandleForReading.readabilityHandler = { [stdoutText] handle in stdoutText.append(handle.availableData) }
            stderr.fileHandleForReading.readabilityHandler = { [stderrText] handle in stderrText.append(handle.availableData) }
            try process.run()
        }

        var stdout: String { stdoutText.value }
        var stderr: String { stderrText.value }

        func type(_ line: String) {
            input.fileHandleForWriting.write(Data((line + "\n").utf8))
        }

        func closeInput() {
            try? input.fileHandleForWriting.close()
        }

        /// Waits until `condition` holds for the output (a deadline only so a broken build cannot hang the suite).
        func waitFor(_ what: String, _ condition: (String) -> Bool) async throws {
            for _ in 0..<600 {
                if condition(stdout) { return }
                guard process.isRunning else { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            if condition(stdout) { return }
            throw TestFailure("waited for \(what); stdout:\n\(stdout)\nstderr:\n\(stderr)")
        }

        func waitForExit() async throws -> Int32 {
            for _ in 0..<600 where process.isRunning {
                try await Task.sleep(for: .milliseconds(50))
            }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    static var binary: URL { DaemonProcess.binDirectory.appendingPathComponent("agent-host") }

    @Test func streamsAnswersStopsOnCtrlCAndShowsTheHistoryWhenReopened() async throws {
        try await withDaemon(environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "20"]) { daemon, client in
            let arguments = ["chat", "my-chat", "--chat", "term-1", "--url", daemon.baseURL, "--data", daemon.dataDirectory.path]

            let chat = try Child(Self.binary, arguments)
            chat.type("hello world")
            try await chat.waitFor("the first answer") { $0.contains("my-chat › You said: hello world\n") }
            #expect(chat.stdout.contains("you › hello world"))

            // Ctrl-C in the middle of an answer stops that answer, not the client.
            chat.type("/slow 5000")
            try await chat.waitFor("the long answer to start") { $0.contains("my-chat › 1 2 3") }
            kill(chat.process.processIdentifier, SIGINT)
            try await chat.waitFor("the answer to be stopped") { $0.contains("[stopped]") }
            #expect(chat.process.isRunning)
            #expect(chat.stdout.contains("stopping the answer"))
            chat.type("after the stop")
            try await chat.waitFor("an answer after the stop") { $0.contains("You said: after the stop") }
            chat.closeInput()
            #expect(try await chat.waitForExit() == 0)

            let info = try await client.send(.GET, "/api/v1/sessions/term-1", token: daemon.secretKey)
            #expect(info.json?["status"]?.stringValue == "idle")
            #expect(info.json?["agent"]?.stringValue == "my-chat")

            // Reopening the chat prints its history.
            let again = try Child(Self.binary, arguments)
            again.closeInput()
            #expect(try await again.waitForExit() == 0)
            #expect(again.stdout.contains("you › hello world\nmy-chat › You said: hello world\n"))
            #expect(again.stdout.contains("you › after the stop\nmy-chat › You said: after the stop\n"))
        }
    }

    @Test func aDroppedConnectionIsResumedWithNothingLostOrRepeated() async throws {
        try await withDaemon(environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "20"]) { daemon, _ in
            let port = try #require(daemon.baseURL.split(separator: ":").last.map(String.init))
            // A proxy that cuts the first two output streams after 700 bytes each.
            let script = TestPackage.root.appendingPathComponent("Tests/Tools/cutting_proxy.py")
            let proxy = try Child(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path, port, "700", "2"])
            defer { kill(proxy.process.processIdentifier, SIGKILL) }
            try await proxy.waitFor("the proxy") { $0.contains("listening ") }
            let proxyPort = try #require(proxy.stdout.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines))

            let chat = try Child(Self.binary, ["chat", "my-chat", "--chat", "flaky", "--url", "http://127.0.0.1:\(proxyPort)",
                                               "--data", daemon.dataDirectory.path])
            chat.type("/slow 60")
            let full = (1...60).map(String.init).joined(separator: " ")
            try await chat.waitFor("the whole answer") { $0.contains(full + "\n") }
            chat.closeInput()
            #expect(try await chat.waitForExit() == 0)
            #expect(chat.stderr.components(separatedBy: "[connection lost; resuming after seq").count == 3)
            #expect(chat.stdout.components(separatedBy: "1 2 3 ").count == 2)
            #expect(chat.stdout.contains("my-chat › \(full)\n"))
        }
    }

    /// `/attach FILE` uploads the file; it goes with the next message, and reopening shows it.
    @Test func attachSendsAFileWithTheNextMessage() async throws {
        try await withDaemon { daemon, _ in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("attach-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let csv = folder.appendingPathComponent("table.csv")
            try Data("a,b\n1,2\n".utf8).write(to: csv)
            let arguments = ["chat", "my-chat", "--chat", "term-attach", "--url", daemon.baseURL, "--data", daemon.dataDirectory.path]

            let chat = try Child(Self.binary, arguments)
            chat.type("/attach \(csv.path)")
            try await chat.waitFor("the upload") { $0.contains("attached table.csv (text/csv, 8 bytes)") }
            chat.type("/attach \(folder.path)/missing.png")
            try await chat.waitFor("the refusal") { $0.contains("cannot attach \(folder.path)/missing.png") }
            chat.type("read this")
            try await chat.waitFor("the answer") { $0.contains("my-chat › You sent: table.csv (text/csv, 8 bytes). You said: read this\n") }
            chat.closeInput()
            #expect(try await chat.waitForExit() == 0)

            let again = try Child(Self.binary, arguments)
            again.closeInput()
            #expect(try await again.waitForExit() == 0)
            #expect(again.stdout.contains("you › [table.csv] read this\n"))
        }
    }
}
