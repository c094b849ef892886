import AgentWire
import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Plugins that crash, leak, loop, forge and misbehave, run while a healthy
/// agent streams: the daemon survives, the healthy stream loses nothing, and
/// the bad turn resumes or ends exactly as README "Isolation" says.
///
/// Serialized: a looping plugin holds two cores and a crashing daemon prints
/// a backtrace; run all at once they would starve the suites beside them.
@Suite(.serialized) struct IsolationTests {
    /// Builds `Tests/Fixtures/MisbehavingPlugin/misbehaving_plugin.c` into a real `.so`.
    static func misbehavingPlugin(defines: [String] = [], named name: String = "libMisbehave.so") throws -> URL {
        let directory = try CCompiler.temporaryDirectory()
        let output = directory.appendingPathComponent(name)
        try CCompiler.sharedLibrary(
            sources: [TestPackage.root.appendingPathComponent("Tests/Fixtures/MisbehavingPlugin/misbehaving_plugin.c")],
            includes: [CCompiler.abiInclude], output: output, defines: defines
        )
        return output
    }

    /// A healthy my-chat turn streaming `/slow N` words while something else misbehaves.
    struct HealthyStream {
        let task: Task<[TestEvent], Error>
        let words: Int

        init(daemon: DaemonProcess, chatId: String, words: Int = 60) async throws {
            let client = daemon.client
            let token = try await client.createSession(chatId, secret: daemon.secretKey).token
            try await client.sendMessage("/slow \(words)", chatId: chatId, token: token)
            self.words = words
            task = Task { try await client.readEvents(chatId: chatId, token: token) { $0.completedTurns() == 1 } }
        }

        /// Waits for the turn and checks that every word arrived, once, in order.
        func expectComplete() async throws {
            let events = try await task.value
            let expected = (1...words).map(String.init).joined(separator: " ")
            #expect(events.text.trimmingCharacters(in: .whitespaces) == expected)
            #expect(events.filter { $0.type == "data-interrupted" }.isEmpty)
            #expect(Set(events.map(\.id)).count == events.count, "no event twice")
        }
    }

    private func runtime(_ agents: JSONValue, _ agent: String) -> JSONValue? {
        agents.generations(of: agent).last?["runtime"]
    }

    @Test func aSegfaultingTurnCostsOnlyItsWorkerAndResumesOnAFreshOne() async throws {
        let plugins = [DaemonProcess.myChatPlugin, try Self.misbehavingPlugin()]
        try await withDaemon(plugins: plugins, environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "20"]) { daemon, client in
            let healthy = try await HealthyStream(daemon: daemon, chatId: "healthy")
            let before = try await client.waitForAgents(secret: daemon.secretKey) { runtime($0, "misbehave")?["workerPid"] != nil }
            let firstPid = runtime(before, "misbehave")?["workerPid"]?.doubleValue

            let token = try await client.createSession("poisoned", agent: "misbehave", secret: daemon.secretKey).token
            try await client.sendMessage("SEGV_UNLESS_RESUMED please", chatId: "poisoned", token: token)
            let events = try await client.readEvents(chatId: "poisoned", token: token) { $0.completedTurns() == 1 }

            #expect(events.filter { $0.type == "data-interrupted" }.count == 1)
            #expect(events.text == "You said: SEGV_UNLESS_RESUMED please")
            #expect(events.last { $0.type == "finish" }?.json["finishReason"]?.stringValue == "stop")
            try await healthy.expectComplete()
            #expect(daemon.process.isRunning)

            let after = try await client.waitForAgents(secret: daemon.secretKey) { runtime($0, "misbehave")?["workerPid"] != nil }
            #expect(runtime(after, "misbehave")?["workerCrashes"]?.doubleValue == 1)
            #expect(runtime(after, "misbehave")?["workerPid"]?.doubleValue != firstPid)
        }
    }

    @Test func aPoisonTurnEndsWithOneErrorAtItsRecoveryBudgetAndTheSessionStaysUsable() async throws {
        let plugins = [DaemonProcess.myChatPlugin, try Self.misbehavingPlugin()]
        try await withDaemon(plugins: plugins, arguments: ["--recovery-budget", "2"]) { daemon, client in
            let token = try await client.createSession("poison", agent: "misbehave", secret: daemon.secretKey).token
            try await client.sendMessage("SEGV_ALWAYS", chatId: "poison", token: token)
            let events = try await client.readEvents(chatId: "poison", token: token) { $0.completedTurns() == 1 }
            #expect(events.filter { $0.type == "data-interrupted" }.count == 2)
            let errors = events.filter { $0.type == "error" }
            #expect(errors.count == 1)
            #expect(errors.first?.json["errorText"]?.stringValue?.contains("interrupted 2 times") == true)

            try await client.sendMessage("and now?", chatId: "poison", token: token)
            let next = try await client.readEvents(chatId: "poison", token: token, lastEventId: events.last?.id) { $0.completedTurns() == 1 }
            #expect(next.text == "You said: and now?")
        }
    }

    @Test func aToolThatAbortsEndsItsTurnWithAnErrorAndNothingElse() async throws {
        let plugins = [DaemonProcess.myChatPlugin, try Self.misbehavingPlugin()]
        try await withDaemon(plugins: plugins, environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "20"]) { daemon, client in
            let healthy = try await HealthyStream(daemon: daemon, chatId: "healthy")
            let token = try await client.createSession("aborts", agent: "misbehave", secret: daemon.secretKey).token
            try await client.sendMessage("/tool boom {}", chatId: "aborts", token: token)
            let events = try await client.readEvents(chatId: "aborts", token: token) { $0.completedTurns() == 1 }
            // The worker died with the call; the resumed turn does not run it again
            // (README, "Tools after a crash"): the model reads that it was interrupted.
            #expect(events.filter { $0.type == "data-interrupted" }.count == 1)
            let ends = events.filter { $0.type == "tool-output-error" || $0.type == "tool-output-available" }
            #expect(ends.map(\.type) == ["tool-output-error"])
            let errorText = try #require(ends.first?.json["errorText"]?.stringValue)
            #expect(errorText.contains("interrupted by a restart"))
            #expect(events.text == "Tool boom failed: \(errorText)")
            #expect(!events.contains { $0.type == "error" })
            try await healthy.expectComplete()
            #expect(daemon.process.isRunning)
        }
    }

    @Test(arguments: ["worker", "in-process"])
    func aToolCompletedTwiceOrBothFailedAndCompletedIsAnsweredOnce(isolation: String) async throws {
        let plugins = [try Self.misbehavingPlugin()]
        try await withDaemon(plugins: plugins, arguments: ["--isolation", isolation]) { daemon, client in
            let token = try await client.createSession("twice", agent: "misbehave", secret: daemon.secretKey).token
            try await client.sendMessage("/tool twice {}", chatId: "twice", token: token)
            let first = try await client.readEvents(chatId: "twice", token: token) { $0.completedTurns() == 1 }
            let outputs = first.filter { $0.type == "tool-output-available" }
            #expect(outputs.count == 1)
            #expect(outputs.first?.json["output"]?.stringValue == "first")

            try await client.sendMessage("/tool both {}", chatId: "twice", token: token)
            let second = try await client.readEvents(chatId: "twice", token: token, lastEventId: first.last?.id) { $0.completedTurns() == 1 }
            let answers = second.filter { $0.type == "tool-output-available" || $0.type == "tool-output-error" }
            #expect(answers.count == 1)
            #expect(daemon.process.isRunning)
        }
    }

    @Test(arguments: ["worker", "in-process"])
    func aPluginCannotForgeControlPartsOrTokens(isolation: String) async throws {
        try await withDaemon(plugins: [try Self.misbehavingPlugin()], arguments: ["--isolation", isolation]) { daemon, client in
            let token = try await client.createSession("forge", agent: "misbehave", secret: daemon.secretKey).token
            let inSeq = try await client.sendMessage("FORGE", chatId: "forge", token: token)
            let events = try await client.readEvents(chatId: "forge", token: token) { $0.completedTurns() == 1 }
            #expect(events.contains { $0.type == "data-progress" }, "the plugin's own data part arrives")
            #expect(!events.contains { $0.type == "data-token" })
            #expect(!events.contains { $0.type == "data-interrupted" })
            let completions = events.filter { $0.type == "data-turn-complete" }
            #expect(completions.count == 1)
            #expect(completions.first?.json["data"]?["inSeq"]?.doubleValue == Double(inSeq))
            #expect(events.text == "You said: FORGE")
        }
    }

    @Test func aLeakingWorkerIsKilledAtItsMemoryLimitAndItsTurnsStillComplete() async throws {
        let plugins = [try Self.misbehavingPlugin()]
        try await withDaemon(plugins: plugins, arguments: ["--worker-memory-limit", "160"]) { daemon, client in
            let token = try await client.createSession("leak", agent: "misbehave", secret: daemon.secretKey).token
            var last: Int64?
            for turn in 1...5 {
                try await client.sendMessage("LEAK \(turn)", chatId: "leak", token: token)
                let events = try await client.readEvents(chatId: "leak", token: token, lastEventId: last) { $0.completedTurns() == 1 }
                #expect(events.text == "You said: LEAK \(turn)")
                last = events.last?.id
            }
            let agents = try await client.waitForAgents(secret: daemon.secretKey) { _ in true }
            #expect((runtime(agents, "misbehave")?["workerCrashes"]?.doubleValue ?? 0) >= 1)
            #expect(daemon.process.isRunning)
        }
    }

    @Test func aRetiredBuildsWorkerExitsEvenWhenItsShutdownHangs() async throws {
        let hanging = try Self.misbehavingPlugin(defines: ["HANG_SHUTDOWN"])
        try await withDaemon(plugins: [hanging], arguments: ["--plugin-shutdown-timeout", "1"]) { daemon, client in
            let first = try await client.waitForAgents(secret: daemon.secretKey) { runtime($0, "misbehave")?["workerPid"] != nil }
            let pid = pid_t(try #require(runtime(first, "misbehave")?["workerPid"]?.doubleValue))
            #expect(kill(pid, 0) == 0)

            try daemon.deploy(hanging, variant: "2")
            _ = try await client.waitForAgents(secret: daemon.secretKey) { $0.generations(of: "misbehave").count == 2 }
            try await waitUntil { kill(pid, 0) != 0 }
            #expect(daemon.process.isRunning)
        }
    }

    @Test func aWorkerWhoseEntryFunctionBlocksIsARefusedBuild() async throws {
        let blocking = try Self.misbehavingPlugin(defines: ["BLOCK_ENTRY"], named: "libBlocking.so")
        try await withDaemon(plugins: [DaemonProcess.myChatPlugin, blocking], arguments: ["--worker-load-timeout", "1"]) { daemon, client in
            let agents = try await client.waitForAgents(secret: daemon.secretKey) { ($0["refusals"]?.arrayValue?.count ?? 0) > 0 }
            let refusal = agents["refusals"]?.arrayValue?.first
            #expect(refusal?["file"]?.stringValue == "libBlocking.so")
            #expect(refusal?["reason"]?.stringValue?.contains("did not finish loading within") == true)
            let token = try await client.createSession("fine", secret: daemon.secretKey).token
            try await client.sendMessage("still here", chatId: "fine", token: token)
            let events = try await client.readEvents(chatId: "fine", token: token) { $0.completedTurns() == 1 }
            #expect(events.text == "You said: still here")
        }
    }

    @Test func inProcessTwoLoopingTurnsDoNotFreezeTheDaemon() async throws {
        let plugins = [DaemonProcess.myChatPlugin, try Self.misbehavingPlugin()]
        try await withDaemon(plugins: plugins, arguments: ["--isolation", "in-process"]) { daemon, client in
            for chatId in ["loop-1", "loop-2"] {
                let token = try await client.createSession(chatId, agent: "misbehave", secret: daemon.secretKey).token
                try await client.sendMessage("LOOP", chatId: chatId, token: token)
            }
            // Both loops spin on plugin-call threads; the cooperative pool (one thread
            // per core) stays free for every route.
            try await waitUntil {
                let list = try await client.send(.GET, "/api/v1/sessions", token: daemon.secretKey).json
                return list?["data"]?.arrayValue?.filter { $0["status"]?.stringValue == "running" }.count == 2
            }
            let health = try await client.send(.GET, "/healthz", token: nil)
            #expect(health.status == 200)
            let healthy = try await HealthyStream(daemon: daemon, chatId: "healthy", words: 20)
            try await healthy.expectComplete()
        }
    }

    @Test func inProcessAPoisonTurnStopsCrashingTheDaemonAcrossRestarts() async throws {
        let plugins = [DaemonProcess.myChatPlugin, try Self.misbehavingPlugin()]
        // No backtrace: each crash should end the daemon at once.
        let quiet = ["SWIFT_BACKTRACE": "enable=no"]
        try await withDaemon(plugins: plugins, environment: quiet, arguments: ["--isolation", "in-process", "--recovery-budget", "2"]) { daemon, client in
            let token = try await client.createSession("poison", agent: "misbehave", secret: daemon.secretKey).token
            // The input is committed before the turn starts; the reply may not make it out.
            _ = try? await client.sendMessage("SEGV_ALWAYS", chatId: "poison", token: token)
            // The turn kills the daemon; each start resumes it (and dies) until the budget ends it.
            var restarts = 0
            var ended: [TestEvent] = []
            while ended.completedTurns() == 0 {
                daemon.process.waitUntilExit()
                restarts += 1
                try #require(restarts <= 3, "a poison turn must not crash-loop the daemon")
                // A start that dies before it listens is one more crash, not a test failure.
                guard (try? daemon.start()) != nil else { continue }
                ended = (try? await daemon.client.readEvents(chatId: "poison", token: token) { $0.completedTurns() == 1 }) ?? []
            }
            #expect(restarts == 2)
            #expect(ended.filter { $0.type == "data-interrupted" }.count == 2)
            #expect(ended.filter { $0.type == "error" }.count == 1)
            #expect(daemon.process.isRunning)
            let client = daemon.client
            let health = try await client.send(.GET, "/healthz", token: nil)
            #expect(health.status == 200)
        }
    }
}
