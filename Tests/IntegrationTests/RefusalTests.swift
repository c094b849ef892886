import AgentWire
import Foundation
import TestSupport
import Testing

/// Files the daemon must refuse, each with a reason, while the previous
/// generation keeps serving and the daemon keeps running.
@Suite struct RefusalTests {
    /// Builds `Tests/Fixtures/BadPlugins/bad_plugin.c` with one flag into a real `.so`.
    private func compileBadPlugin(_ flag: String, into directory: URL) throws -> URL {
        let output = directory.appendingPathComponent("lib\(flag).so")
        try CCompiler.sharedLibrary(
            sources: [TestPackage.root.appendingPathComponent("Tests/Fixtures/BadPlugins/bad_plugin.c")],
            includes: [CCompiler.abiInclude], output: output, defines: [flag]
        )
        return output
    }

    @Test func everyBadBuildIsRefusedWithAReasonAndThePreviousGenerationKeepsServing() async throws {
        try await withDaemon { daemon, client in
            let token = try await client.createSession("steady", secret: daemon.secretKey).token
            let scratch = daemon.dataDirectory.appendingPathComponent("bad-builds")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)

            var expected: [String: String] = [:]
            try daemon.drop(Data((0..<65536).map { _ in UInt8.random(in: 0...255) }), as: "libRandom.so")
            expected["libRandom.so"] = "is not an ELF file"
            try daemon.drop(Data("#!/bin/sh\necho this is not a plugin\n".utf8), as: "libText.so")
            expected["libText.so"] = "is not an ELF file"

            for (flag, reason) in [
                ("NO_ENTRY", "does not export agent_plugin_entry_v1"),
                ("INIT_FAILS", "entry function failed with status 4"),
                ("WRONG_MAJOR", "ABI major 2 is not supported"),
                ("OTHER_TOOLCHAIN", "built by toolchain `Swift 5.9 (some other toolchain)`"),
            ] {
                try daemon.deploy(try compileBadPlugin(flag, into: scratch))
                expected["lib\(flag).so"] = reason
            }

            // World-writable: a good build, but anyone could have swapped its bytes.
            var variant = try Data(contentsOf: DaemonProcess.myChatPlugin)
            variant.append(Data("writable variant".utf8))
            try daemon.drop(variant, as: "libWritable.so", permissions: 0o666)
            expected["libWritable.so"] = "is writable by group or others"

            let agents = try await client.waitForAgents(secret: daemon.secretKey) { ($0["refusals"]?.arrayValue?.count ?? 0) >= expected.count }
            var reasons: [String: String] = [:]
            for refusal in agents["refusals"]?.arrayValue ?? [] {
                reasons[refusal["file"]?.stringValue ?? ""] = refusal["reason"]?.stringValue
            }
            for (file, reason) in expected {
                #expect(reasons[file]?.hasPrefix(reason) == true, "\(file): \(reasons[file] ?? "not refused")")
            }
            // Only the good build became a generation; it still serves.
            #expect(agents.generations(of: "my-chat").count == 1)
            #expect(agents.activeGeneration(of: "bad") == nil)
            #expect(daemon.process.isRunning)
            try await client.sendMessage("still serving", chatId: "steady", token: token)
            let events = try await client.readEvents(chatId: "steady", token: token) { $0.completedTurns() == 1 }
            #expect(events.text == "You said: still serving")
        }
    }
}
