import AgentHostClient
import AgentWire
import Foundation
import TestSupport
import Testing

/// New builds go live while chats stream, and the chats move over.
@Suite struct RedeployTests {
    /// Checks one turn's stream against the protocol's ordering rules.
    private func expectValidTurn(_ events: [TestEvent], _ label: String) {
        let types = events.map(\.type).filter { !$0.hasPrefix("data-") }
        #expect(types.first == "start", "\(label) starts with start")
        #expect(types.filter { $0 == "start" }.count == 1, "\(label) has one start")
        #expect(types.last == "finish", "\(label) ends with finish")
        #expect(types.dropLast().last == "finish-step", "\(label) closes its step before finish")
        var openSteps = 0
        for type in types {
            if type == "start-step" { openSteps += 1 }
            if type == "finish-step" { openSteps -= 1 }
            #expect((0...1).contains(openSteps), "\(label) steps do not nest")
        }
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.id < $1.id }, "\(label) seqs increase")
    }

    /// Starts `upgrade-demo` from `product`, sends a turn whose tool sleeps
    /// `pauseMs`, and deploys `UpgradeDemoV2` while that tool runs.
    /// Starts `product`, has its `pause` tool wait on a gate file, deploys build 2,
    /// and opens the gate once build 2 is active: the turn is caught at its step
    /// boundary however long the deploy takes on a loaded machine.
    private func deployDuringAPausedTool(
        running product: String, chatId: String, pauseMs: Int
    ) async throws -> (DaemonProcess, AgentHostClient, String) {
        let daemon = try DaemonProcess(plugins: [DaemonProcess.plugin(product)])
        try daemon.start()
        let client = daemon.client
        let gate = daemon.dataDirectory.appendingPathComponent("gate-\(chatId)").path
        let token = try await client.createSession(chatId, agent: "upgrade-demo", secret: daemon.secretKey).token
        try await client.sendMessage(#"/tool pause {"ms": \#(pauseMs), "until": "\#(gate)"}"#, chatId: chatId, token: token)
        _ = try await client.readEvents(chatId: chatId, token: token) { $0.contains { $0.type == "tool-input-available" } }
        try daemon.deploy(DaemonProcess.plugin("UpgradeDemoV2"))
        _ = try await client.waitForAgents(secret: daemon.secretKey) { $0.activeGeneration(of: "upgrade-demo") == 2 }
        FileManager.default.createFile(atPath: gate, contents: Data())
        return (daemon, client, token)
    }

    @Test func twentyStreamsSurviveFiveBackToBackDeploys() async throws {
        try await withDaemon(environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "10"]) { daemon, client in
            let chats = (1...20).map { "stream-\($0)" }
            var created: [String: String] = [:]
            for chat in chats { created[chat] = try await client.createSession(chat, secret: daemon.secretKey).token }
            let tokens = created
            for chat in chats { try await client.sendMessage("/slow 150", chatId: chat, token: tokens[chat] ?? "") }

            async let streams = withThrowingTaskGroup(of: (String, [TestEvent]).self) { group in
                for chat in chats {
                    let token = tokens[chat] ?? ""
                    group.addTask { (chat, try await client.readEvents(chatId: chat, token: token) { $0.completedTurns() == 1 }) }
                }
                return try await group.reduce(into: [String: [TestEvent]]()) { $0[$1.0] = $1.1 }
            }
            for build in 1...5 {
                try daemon.deploy(DaemonProcess.myChatPlugin, as: "libMyChat-build\(build).so", variant: "\(build)")
                try await Task.sleep(for: .milliseconds(100))
            }
            let results = try await streams
            let expected = (1...150).map(String.init).joined(separator: " ")
            for chat in chats {
                let events = try #require(results[chat])
                #expect(events.text == expected, "\(chat): every word exactly once")
                expectValidTurn(events, chat)
            }

            let agents = try await client.waitForAgents(secret: daemon.secretKey) { agents in
                let generations = agents.generations(of: "my-chat")
                return generations.count == 6 && generations.allSatisfy { $0["liveTurns"]?.doubleValue == 0 }
            }
            let generations = agents.generations(of: "my-chat")
            #expect(generations.map { $0["state"]?.stringValue } == ["retired", "retired", "retired", "retired", "retired", "active"])
            #expect(Set(generations.compactMap { $0["sha256"]?.stringValue }).count == 6)

            // The next turn of any session runs on the newest build.
            try await client.sendMessage("after deploys", chatId: "stream-1", token: tokens["stream-1"] ?? "")
            let next = try await client.readEvents(chatId: "stream-1", token: tokens["stream-1"] ?? "") { $0.completedTurns() == 2 }
            #expect(next.text.hasSuffix("You said: after deploys"))
        }
    }

    @Test func theNextTurnAndATurnCrossingAStepBoundaryRunOnTheNewBuild() async throws {
        let (daemon, client, token) = try await deployDuringAPausedTool(running: "UpgradeDemoV1", chatId: "move", pauseMs: 4000)
        defer { daemon.stop() }
        let turn = try await client.readEvents(chatId: "move", token: token) { $0.completedTurns() == 1 }

        // Build 1 ran the tool; at the step boundary the turn moved to build 2, which wrote the answer.
        let builds = turn.filter { $0.type == "data-build" }.compactMap { $0.json["data"]?["version"]?.stringValue }
        #expect(builds == ["1", "2"])
        let upgraded = turn.filter { $0.type == "data-upgraded" }
        #expect(upgraded.count == 1)
        #expect(upgraded.first?.json["data"]?["fromGeneration"]?.doubleValue == 1)
        #expect(upgraded.first?.json["data"]?["toGeneration"]?.doubleValue == 2)
        let order = turn.map(\.type)
        if let boundary = order.firstIndex(of: "data-upgraded") {
            #expect(order[..<boundary].last == "finish-step")
            #expect(order[(boundary + 1)...].first { !$0.hasPrefix("data-") } == "start-step")
        }
        #expect(turn.first { $0.type == "tool-output-available" }?.json["output"]?["build"]?.stringValue == "1")
        #expect(turn.text == #"pause returned {"build":"1","waited":4000}"#)
        expectValidTurn(turn, "moved turn")
        // The resumed run did not count the turn twice.
        #expect(turn.filter { $0.type == "data-turns" }.compactMap { $0.json["data"]?["turns"]?.doubleValue } == [1, 1])

        // The next turn runs on build 2, with build 1's state migrated (`count` → `visits`).
        try await client.sendMessage("again", chatId: "move", token: token)
        let all = try await client.readEvents(chatId: "move", token: token) { $0.completedTurns() == 2 }
        let second = Array(all.drop { $0.type != "data-turn-complete" }.dropFirst())
        #expect(second.filter { $0.type == "data-build" }.compactMap { $0.json["data"]?["version"]?.stringValue } == ["2"])
        #expect(second.first { $0.type == "data-turns" }?.json["data"] == ["build": "2", "turns": 2])
        #expect(!second.contains { $0.type == "data-upgraded" })
    }

    @Test func aDrainingAgentFinishesItsTurnOnTheOldBuild() async throws {
        let (daemon, client, token) = try await deployDuringAPausedTool(running: "UpgradeDemoV1Drain", chatId: "drain", pauseMs: 5000)
        defer { daemon.stop() }
        let during = try await client.waitForAgents(secret: daemon.secretKey) { $0.activeGeneration(of: "upgrade-demo") == 2 }
        #expect(during.generations(of: "upgrade-demo").first?["state"]?.stringValue == "draining")
        #expect(during.generations(of: "upgrade-demo").first?["liveTurns"]?.doubleValue == 1)

        let turn = try await client.readEvents(chatId: "drain", token: token) { $0.completedTurns() == 1 }
        #expect(turn.filter { $0.type == "data-build" }.compactMap { $0.json["data"]?["version"]?.stringValue } == ["1"])
        #expect(!turn.contains { $0.type == "data-upgraded" })
        expectValidTurn(turn, "drained turn")
        let after = try await client.waitForAgents(secret: daemon.secretKey) {
            $0.generations(of: "upgrade-demo").first?["state"]?.stringValue == "retired"
        }
        #expect(after.activeGeneration(of: "upgrade-demo") == 2)
    }

    @Test func rollbackMakesThePreviousGenerationActiveAgain() async throws {
        try await withDaemon(plugins: [DaemonProcess.plugin("UpgradeDemoV1")]) { daemon, client in
            try daemon.deploy(DaemonProcess.plugin("UpgradeDemoV2"))
            _ = try await client.waitForAgents(secret: daemon.secretKey) { $0.activeGeneration(of: "upgrade-demo") == 2 }

            let rollback = Process()
            rollback.executableURL = DaemonProcess.binDirectory.appendingPathComponent("agent-host")
            rollback.arguments = ["rollback", "upgrade-demo", "--url", daemon.baseURL, "--data", daemon.dataDirectory.path]
            rollback.standardOutput = FileHandle.nullDevice
            try rollback.run()
            rollback.waitUntilExit()
            #expect(rollback.terminationStatus == 0)
            let agents = try await client.waitForAgents(secret: daemon.secretKey) { $0.activeGeneration(of: "upgrade-demo") == 1 }
            #expect(agents.generations(of: "upgrade-demo").map { $0["state"]?.stringValue } == ["retired", "active"])

            let token = try await client.createSession("rolled", agent: "upgrade-demo", secret: daemon.secretKey).token
            try await client.sendMessage("hi", chatId: "rolled", token: token)
            let turn = try await client.readEvents(chatId: "rolled", token: token) { $0.completedTurns() == 1 }
            #expect(turn.filter { $0.type == "data-build" }.compactMap { $0.json["data"]?["version"]?.stringValue } == ["1"])

            // Nothing further back: a clear conflict, not a crash.
            _ = try await client.send(.POST, "/api/v1/agents/upgrade-demo/rollback", token: daemon.secretKey)
            let again = try await client.send(.POST, "/api/v1/agents/upgrade-demo/rollback", token: daemon.secretKey)
            #expect(again.status == 200 || again.status == 409)
            #expect(try await client.send(.POST, "/api/v1/agents/nope/rollback", token: daemon.secretKey).status == 404)
        }
    }

    @Test func aRollbackOutlivesARestartOnSQLite() async throws {
        let daemon = try DaemonProcess(plugins: [DaemonProcess.plugin("UpgradeDemoV1")])
        try daemon.start()
        defer { daemon.stop() }
        let first = try await daemon.client.waitForAgents(secret: daemon.secretKey) { $0.activeGeneration(of: "upgrade-demo") == 1 }
        let v1 = try #require(first.activeSha256(of: "upgrade-demo"))
        try daemon.deploy(DaemonProcess.plugin("UpgradeDemoV2"))
        _ = try await daemon.client.waitForAgents(secret: daemon.secretKey) { $0.activeGeneration(of: "upgrade-demo") == 2 }
        #expect(try await daemon.client.send(.POST, "/api/v1/agents/upgrade-demo/rollback", token: daemon.secretKey).status == 200)

        // Both builds are in the drop directory; build 2 loads last, and build 1 is what serves.
        try daemon.crashAndRestart()
        let client = daemon.client
        let agents = try await client.send(.GET, "/api/v1/agents", token: daemon.secretKey).json ?? .null
        #expect(agents.activeSha256(of: "upgrade-demo") == v1)
        #expect(agents.generations(of: "upgrade-demo").map { $0["version"]?.stringValue } == ["1", "2"])
        #expect(agents.generations(of: "upgrade-demo").map { $0["state"]?.stringValue } == ["active", "retired"])
        let token = try await client.createSession("after-restart", agent: "upgrade-demo", secret: daemon.secretKey).token
        try await client.sendMessage("hi", chatId: "after-restart", token: token)
        let turn = try await client.readEvents(chatId: "after-restart", token: token) { $0.completedTurns() == 1 }
        #expect(turn.filter { $0.type == "data-build" }.compactMap { $0.json["data"]?["version"]?.stringValue } == ["1"])
    }
}
