import AgentWire
import Foundation
import TestSupport
import Testing

/// Plugins land in the drop directory while the daemon runs.
@Suite struct PluginLoadingTests {
    @Test func aPluginDroppedWhileRunningIsServedAndJunkIsRefused() async throws {
        try await withDaemon(plugins: []) { daemon, client in
            let empty = try await client.send(.GET, "/api/v1/agents", token: daemon.secretKey)
            #expect(empty.json?["agents"]?.arrayValue?.isEmpty == true)
            #expect(try await client.createSession("early", secret: daemon.secretKey).status == 404)

            // Junk first: refused with a reason, the daemon keeps running.
            let junk = daemon.pluginsDirectory.appendingPathComponent("libJunk.so")
            try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(to: junk)
            // Then the real plugin, the way `agent-host deploy` does it.
            let deploy = Process()
            deploy.executableURL = DaemonProcess.binDirectory.appendingPathComponent("agent-host")
            deploy.arguments = ["deploy", DaemonProcess.myChatPlugin.path, "--plugins", daemon.pluginsDirectory.path]
            try deploy.run()
            deploy.waitUntilExit()
            #expect(deploy.terminationStatus == 0)

            var agents: JSONValue?
            for _ in 0..<100 {
                agents = try await client.send(.GET, "/api/v1/agents", token: daemon.secretKey).json
                if agents?["agents"]?.arrayValue?.isEmpty == false, agents?["refusals"]?.arrayValue?.isEmpty == false { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let agent = try #require(agents?["agents"]?.arrayValue?.first)
            #expect(agent["id"]?.stringValue == "my-chat")
            #expect(agent["generations"]?.arrayValue?.first?["state"]?.stringValue == "active")
            #expect(agent["generations"]?.arrayValue?.first?["sha256"]?.stringValue?.count == 64)
            let refusal = try #require(agents?["refusals"]?.arrayValue?.first)
            #expect(refusal["file"]?.stringValue == "libJunk.so")
            #expect(refusal["reason"]?.stringValue == "is not an ELF file")

            // The build is loaded from the host's store, not from the drop directory.
            let sha = try #require(agent["generations"]?.arrayValue?.first?["sha256"]?.stringValue)
            let storeCopy = daemon.dataDirectory.appendingPathComponent("store/MyChat/\(sha).so")
            #expect(FileManager.default.fileExists(atPath: storeCopy.path))

            let token = try await client.createSession("late", secret: daemon.secretKey).token
            try await client.sendMessage("hello world", chatId: "late", token: token)
            let events = try await client.readEvents(chatId: "late", token: token) { $0.completedTurns() == 1 }
            #expect(events.text == "You said: hello world")
        }
    }
}
