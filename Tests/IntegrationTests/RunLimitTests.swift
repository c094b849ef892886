import AgentHostClient
import AgentWire
import Foundation
import TestSupport
import Testing

/// Run limits against the real daemon (README, "Run limits"): a turn that
/// overruns its time limit ends with an error and releases its session, a hung
/// tool times out into an error the model sees, repeated hangs mark the
/// generation unhealthy, and a draining build's turns move (or end) at its
/// drain deadline.
@Suite struct RunLimitTests {
    private func runtime(_ agents: JSONValue, _ agent: String) -> JSONValue? {
        agents.generations(of: agent).last?["runtime"]
    }

    private func errorText(_ events: [TestEvent]) -> String? {
        events.first { $0.type == "error" }?.json["errorText"]?.stringValue
    }

    private func finishReason(_ events: [TestEvent]) -> String? {
        events.last { $0.type == "finish" }?.json["finishReason"]?.stringValue
    }

    private func builds(_ events: [TestEvent]) -> [String] {
        events.filter { $0.type == "data-build" }.compactMap { $0.json["data"]?["version"]?.stringValue }
    }

    @Test(arguments: ["worker", "in-process"])
    func aLoopingStartTurnEndsAtItsTimeLimitAndTheSessionAnswersItsNextMessage(isolation: String) async throws {
        // The agent declares a 2 s limit; the daemon's (600 s) keeps the healthy agent's turns unlimited here.
        let plugins = [DaemonProcess.myChatPlugin, try IsolationTests.misbehavingPlugin(defines: ["MAX_TURN_SECONDS=2"])]
        let environment = ["AGENT_HOST_SCRIPTED_DELAY_MS": "20"]
        try await withDaemon(plugins: plugins, environment: environment, arguments: ["--isolation", isolation]) { daemon, client in
            let healthy = try await IsolationTests.HealthyStream(daemon: daemon, chatId: "healthy")
            let token = try await client.createSession("stuck", agent: "misbehave", secret: daemon.secretKey).token
            try await client.sendMessage("LOOP", chatId: "stuck", token: token)
            let events = try await client.readEvents(chatId: "stuck", token: token) { $0.completedTurns() == 1 }

            #expect(events.filter { $0.type == "error" }.count == 1)
            #expect(errorText(events)?.contains("did not finish this turn within its time limit of 2 s") == true)
            #expect(finishReason(events) == "error")
            #expect(events.map(\.type).suffix(2) == ["finish", "data-turn-complete"])
            #expect(!events.contains { $0.type == "data-interrupted" })
            try await healthy.expectComplete()

            let agents = try await client.waitForAgents(secret: daemon.secretKey) {
                $0.generations(of: "misbehave").last?["hangs"]?.doubleValue == 1
            }
            #expect(agents.generations(of: "misbehave").last?["health"]?.stringValue == "healthy")
            if isolation == "worker" {
                // Its start_turn never returned, so after the grace period the worker is killed.
                _ = try await client.waitForAgents(secret: daemon.secretKey) { runtime($0, "misbehave")?["workerCrashes"]?.doubleValue == 1 }
            }

            // The session was released: the next message is answered, and nothing resumed the overrun turn.
            try await client.sendMessage("hello again", chatId: "stuck", token: token)
            let next = try await client.readEvents(chatId: "stuck", token: token, lastEventId: events.last?.id) { $0.completedTurns() == 1 }
            #expect(next.text == "You said: hello again")
            #expect(!next.contains { $0.type == "data-interrupted" || $0.type == "error" })
            #expect(daemon.process.isRunning)
        }
    }

    @Test func aWorkerKilledForAnOverrunTurnResumesItsOtherTurnsButNotTheOverrunOne() async throws {
        let plugins = [try IsolationTests.misbehavingPlugin(defines: ["MAX_TURN_SECONDS=1"])]
        try await withDaemon(plugins: plugins) { daemon, client in
            // A turn of another agent of the same build (so the same worker) waits in a tool for a file.
            let gate = try CCompiler.temporaryDirectory().appendingPathComponent("open")
            let patient = try await client.createSession("patient", agent: "misbehave-patient", secret: daemon.secretKey).token
            try await client.sendMessage(#"/tool gate {"path":"\#(gate.path)"}"#, chatId: "patient", token: patient)
            _ = try await client.readEvents(chatId: "patient", token: patient) { $0.contains { $0.type == "tool-input-available" } }

            let stuck = try await client.createSession("stuck", agent: "misbehave", secret: daemon.secretKey).token
            try await client.sendMessage("LOOP", chatId: "stuck", token: stuck)
            let overrun = try await client.readEvents(chatId: "stuck", token: stuck) { $0.completedTurns() == 1 }
            #expect(errorText(overrun)?.contains("time limit of 1 s") == true)
            _ = try await client.waitForAgents(secret: daemon.secretKey) { runtime($0, "misbehave")?["workerCrashes"]?.doubleValue == 1 }

            // The gate opens only now: the waiting turn can finish only on a fresh worker.
            #expect(FileManager.default.createFile(atPath: gate.path, contents: Data()))
            let resumed = try await client.readEvents(chatId: "patient", token: patient) { $0.completedTurns() == 1 }
            #expect(resumed.filter { $0.type == "data-interrupted" }.count == 1)
            #expect(resumed.text == #"gate returned "opened""#)
            #expect(finishReason(resumed) == "stop")

            // The overrun turn was not resumed with the others: its session answers the next message plainly.
            try await client.sendMessage("still there?", chatId: "stuck", token: stuck)
            let next = try await client.readEvents(chatId: "stuck", token: stuck, lastEventId: overrun.last?.id) { $0.completedTurns() == 1 }
            #expect(!next.contains { $0.type == "data-interrupted" })
            #expect(next.text == "You said: still there?")
        }
    }

    @Test(arguments: ["worker", "in-process"])
    func aHungToolTimesOutIntoAnErrorTheModelSeesAndThreeHangsMakeTheGenerationUnhealthy(isolation: String) async throws {
        let plugins = [try IsolationTests.misbehavingPlugin()]
        try await withDaemon(plugins: plugins, arguments: ["--isolation", isolation, "--tool-timeout", "0.5"]) { daemon, client in
            let token = try await client.createSession("hang", agent: "misbehave", secret: daemon.secretKey).token
            var last: Int64?
            for hang in 1...3 {
                try await client.sendMessage("/tool hang {}", chatId: "hang", token: token)
                let events = try await client.readEvents(chatId: "hang", token: token, lastEventId: last) { $0.completedTurns() == 1 }
                last = events.last?.id
                let failures = events.filter { $0.type == "tool-output-error" }
                #expect(failures.count == 1)
                #expect(failures.first?.json["errorText"]?.stringValue == "tool `hang` timed out after 0.5 s")
                // The turn goes on: the model answers with the error, and the turn finishes normally.
                #expect(events.text == "Tool hang failed: tool `hang` timed out after 0.5 s")
                #expect(finishReason(events) == "stop")
                #expect(!events.contains { $0.type == "error" })

                let agents = try await client.waitForAgents(secret: daemon.secretKey) {
                    $0.generations(of: "misbehave").last?["hangs"]?.doubleValue == Double(hang)
                }
                let health = agents.generations(of: "misbehave").last?["health"]?.stringValue
                #expect(health == (hang < 3 ? "healthy" : "unhealthy"), "after \(hang) hangs")
            }
            #expect(daemon.process.isRunning)
        }
    }

    @Test(arguments: ["worker", "in-process"])
    func aLongAnswerOnADrainingBuildMovesAtTheDrainDeadline(isolation: String) async throws {
        let environment = ["AGENT_HOST_SCRIPTED_DELAY_MS": "10"]
        let arguments = ["--isolation", isolation, "--drain-timeout", "0.5"]
        try await withDaemon(plugins: [DaemonProcess.plugin("UpgradeDemoV1")], environment: environment, arguments: arguments) { daemon, client in
            let token = try await client.createSession("long", agent: "upgrade-demo", secret: daemon.secretKey).token
            // Held after its third word until the gate opens: still streaming on build 1 when the deploy lands.
            let gate = TurnGate(directory: daemon.dataDirectory)
            let inSeq = try await client.sendMessage(gate.slow(40), chatId: "long", token: token)
            _ = try await client.readEvents(chatId: "long", token: token, lastEventId: inSeq) {
                $0.filter { $0.type == "text-delta" }.count == 3
            }
            try daemon.deploy(DaemonProcess.plugin("UpgradeDemoV2"))
            // The drain deadline moves it to build 2, which goes on once the gate opens.
            _ = try await client.readEvents(chatId: "long", token: token, lastEventId: inSeq) { $0.contains { $0.type == "data-upgraded" } }
            gate.open()
            let turn = try await client.readEvents(chatId: "long", token: token) { $0.completedTurns() == 1 }

            // One text answer, no step boundary: build 1 streamed it until the
            // deadline, build 2 continued it from the text so far.
            #expect(builds(turn) == ["1", "2"])
            #expect(turn.filter { $0.type == "data-upgraded" }.count == 1)
            #expect(turn.text == (1...40).map(String.init).joined(separator: " "), "every word exactly once")
            let types = turn.map(\.type)
            for type in ["start", "start-step", "text-start", "finish-step", "finish"] {
                #expect(types.filter { $0 == type }.count == 1, "one \(type)")
            }
            if let boundary = types.firstIndex(of: "data-upgraded") {
                #expect(types[..<boundary].contains("text-delta"), "cut mid-step")
                #expect(types[boundary...].contains("text-delta"))
                #expect(!types[boundary...].contains("start-step"), "continued in the same step")
            }
            #expect(!turn.contains { $0.type == "data-interrupted" || $0.type == "error" })
            #expect(finishReason(turn) == "stop")

            let agents = try await client.waitForAgents(secret: daemon.secretKey) {
                $0.generations(of: "upgrade-demo").first?["state"]?.stringValue == "retired"
            }
            #expect(agents.activeGeneration(of: "upgrade-demo") == 2)
        }
    }

    @Test func aTurnOfAnAgentThatDrainsEndsAtTheDrainDeadline() async throws {
        let environment = ["AGENT_HOST_SCRIPTED_DELAY_MS": "10"]
        try await withDaemon(
            plugins: [DaemonProcess.plugin("UpgradeDemoV1Drain")], environment: environment, arguments: ["--drain-timeout", "0.5"]
        ) { daemon, client in
            let token = try await client.createSession("drain", agent: "upgrade-demo", secret: daemon.secretKey).token
            // Held after its third word (the gate never opens): still streaming when the deadline comes.
            let gate = TurnGate(directory: daemon.dataDirectory)
            let inSeq = try await client.sendMessage(gate.slow(40), chatId: "drain", token: token)
            _ = try await client.readEvents(chatId: "drain", token: token, lastEventId: inSeq) {
                $0.filter { $0.type == "text-delta" }.count == 3
            }
            try daemon.deploy(DaemonProcess.plugin("UpgradeDemoV2"))
            let turn = try await client.readEvents(chatId: "drain", token: token) { $0.completedTurns() == 1 }

            // It may not move (`upgrade: .drain`), and its build may not run any longer: it ends.
            #expect(builds(turn) == ["1"])
            #expect(!turn.contains { $0.type == "data-upgraded" })
            #expect(turn.filter { $0.type == "error" }.count == 1)
            #expect(errorText(turn)?.contains("drain deadline") == true)
            #expect(finishReason(turn) == "error")
            #expect(turn.text == "1 2 3")

            try await client.sendMessage("again", chatId: "drain", token: token)
            let next = try await client.readEvents(chatId: "drain", token: token, lastEventId: turn.last?.id) { $0.completedTurns() == 1 }
            #expect(builds(next) == ["2"])
            #expect(next.text == "You said: again")
            _ = try await client.waitForAgents(secret: daemon.secretKey) {
                $0.generations(of: "upgrade-demo").first?["state"]?.stringValue == "retired"
            }
        }
    }
}

