import AgentHostClient
import AgentWire
import Foundation
import TestSupport
import Testing

/// Deploy once, every daemon swaps: several daemons on one PostgreSQL database
/// make the same build active, whether it was dropped into one of them or
/// published with `agent-host deploy --database` and no daemon at all; a
/// rollback is one decision for all of them, and a restart keeps it.
@Suite struct ClusterDeployTests {
    /// A fresh database, the environment of daemons of one cluster on it (one
    /// database, one secret key; data directories of their own), and the
    /// hashes of the two `upgrade-demo` builds.
    private static func cluster() throws -> (url: String, environment: [String: String], v1: String, v2: String) {
        let url = try PostgresCluster.database()
        let environment = ["AGENT_HOST_DATABASE_URL": url, "AGENT_HOST_SECRET_KEY": "sk_" + UUID().uuidString]
        return (url, environment, try sha256(of: DaemonProcess.plugin("UpgradeDemoV1")), try sha256(of: DaemonProcess.plugin("UpgradeDemoV2")))
    }

    private static func agents(_ daemon: DaemonProcess) async throws -> JSONValue {
        try await daemon.client.send(.GET, "/api/v1/agents", token: daemon.secretKey).json ?? .null
    }

    /// Waits until every daemon's `GET /api/v1/agents` shows `sha256` active for `upgrade-demo`.
    private static func waitUntilActive(_ sha256: String, on daemons: [DaemonProcess]) async throws {
        try await waitUntil {
            for daemon in daemons where try await agents(daemon).activeSha256(of: "upgrade-demo") != sha256 { return false }
            return true
        }
    }

    /// Runs `agent-host ARGUMENTS…` to its end; fails the test on a non-zero exit.
    @discardableResult
    private static func agentHost(_ arguments: [String]) throws -> String {
        let result = try Command.run([DaemonProcess.binDirectory.appendingPathComponent("agent-host").path] + arguments)
        guard result.status == 0 else { throw TestFailure("agent-host \(arguments.joined(separator: " ")) failed:\n\(result.output)") }
        return result.output
    }

    /// The content hash of a file, as the daemon names builds.
    private static func sha256(of file: URL) throws -> String {
        let result = try Command.run(["sha256sum", file.path])
        guard result.status == 0, let hash = result.output.split(separator: " ").first else { throw TestFailure(result.output) }
        return String(hash)
    }

    private static func builds(_ events: [TestEvent]) -> [String] {
        events.filter { $0.type == "data-build" }.compactMap { $0.json["data"]?["version"]?.stringValue }
    }

    @Test func aBuildDroppedIntoOneDaemonGoesLiveOnEveryDaemonAndARollbackAndARestartFollow() async throws {
        let (url, environment, v1, v2) = try Self.cluster()
        let a = try DaemonProcess(plugins: [DaemonProcess.plugin("UpgradeDemoV1")], environment: environment)
        let b = try DaemonProcess(plugins: [DaemonProcess.plugin("UpgradeDemoV1")], environment: environment)
        try a.start()
        defer { a.stop() }
        try b.start()
        defer { b.stop() }
        try await Self.waitUntilActive(v1, on: [a, b])

        // A turn on B holds build 1 in a tool until build 2 is active everywhere.
        let gate = b.dataDirectory.appendingPathComponent("gate").path
        let token = try await b.client.createSession("move", agent: "upgrade-demo", secret: b.secretKey).token
        try await b.client.sendMessage(#"/tool pause {"ms": 60000, "until": "\#(gate)"}"#, chatId: "move", token: token)
        _ = try await b.client.readEvents(chatId: "move", token: token) { $0.contains { $0.type == "tool-input-available" } }

        // Dropped into A only: B fetches it from the database.
        try a.deploy(DaemonProcess.plugin("UpgradeDemoV2"))
        try await Self.waitUntilActive(v2, on: [a, b])
        #expect(try await Self.agents(b).generations(of: "upgrade-demo").map { $0["state"]?.stringValue } == ["draining", "active"])
        FileManager.default.createFile(atPath: gate, contents: Data())
        let turn = try await b.client.readEvents(chatId: "move", token: token) { $0.completedTurns() == 1 }
        #expect(Self.builds(turn) == ["1", "2"])
        #expect(turn.filter { $0.type == "data-upgraded" }.count == 1)
        #expect(turn.text == #"pause returned {"build":"1","waited":60000}"#)

        // Rolled back through A: B rolls back too.
        let rollback = try await a.client.send(.POST, "/api/v1/agents/upgrade-demo/rollback", token: a.secretKey)
        #expect(rollback.status == 200)
        #expect(rollback.json?["sha256"]?.stringValue == v1)
        try await Self.waitUntilActive(v1, on: [a, b])
        #expect(try PostgresCluster.psql(url, "SELECT sha256 FROM plugin_activations WHERE agent = 'upgrade-demo' ORDER BY position DESC")
            == "\(v1)\n\(v2)")

        // A holds both builds in its drop directory and loads build 2 last; the decision stands.
        try a.crashAndRestart()
        #expect(try await Self.agents(a).activeSha256(of: "upgrade-demo") == v1)
        try await b.client.sendMessage("again", chatId: "move", token: token)
        let next = try await b.client.readEvents(chatId: "move", token: token) { $0.completedTurns() == 2 }
        #expect(Self.builds(Array(next.drop { $0.type != "data-turn-complete" })) == ["1"])
    }

    @Test func deployAndRollbackWithTheDatabaseAloneReachEveryDaemonAndALaterOne() async throws {
        let (url, environment, v1, v2) = try Self.cluster()
        // No daemon runs yet: the build waits in the database.
        #expect(try Self.agentHost(["deploy", DaemonProcess.plugin("UpgradeDemoV1").path, "--database", url]).contains(v1))

        let a = try DaemonProcess(plugins: [], environment: environment)
        let b = try DaemonProcess(plugins: [], environment: environment)
        try a.start()
        defer { a.stop() }
        try b.start()
        defer { b.stop() }
        // Loaded from the database before start-up finished: no wait.
        #expect(try await Self.agents(a).activeSha256(of: "upgrade-demo") == v1)
        #expect(try await Self.agents(b).activeSha256(of: "upgrade-demo") == v1)

        try Self.agentHost(["deploy", DaemonProcess.plugin("UpgradeDemoV2").path, "--database", url])
        try await Self.waitUntilActive(v2, on: [a, b])

        // A daemon that starts later loads what the database says.
        let c = try DaemonProcess(plugins: [], environment: environment)
        try c.start()
        defer { c.stop() }
        #expect(try await Self.agents(c).activeSha256(of: "upgrade-demo") == v2)
        #expect(try await Self.agents(c).generations(of: "upgrade-demo").count == 1)

        // A rollback with no daemon in the loop: all three go back, C fetching build 1 for it.
        #expect(try Self.agentHost(["rollback", "upgrade-demo", "--database", url]).contains(v1))
        try await Self.waitUntilActive(v1, on: [a, b, c])
        for daemon in [a, b, c] {
            #expect(try await Self.agents(daemon).agent("upgrade-demo")?["decidedSha256"]?.stringValue == v1)
        }
        let result = try Command.run([
            DaemonProcess.binDirectory.appendingPathComponent("agent-host").path, "rollback", "nope", "--database", url,
        ])
        #expect(result.status != 0)
        #expect(result.output.contains("no build of `nope` is recorded"))
    }

    @Test func aDaemonThatRefusesTheDecidedBuildKeepsItsGenerationAndSaysSo() async throws {
        let (url, environment, v1, v2) = try Self.cluster()
        let a = try DaemonProcess(plugins: [DaemonProcess.plugin("UpgradeDemoV1")], environment: environment)
        // On B's machine build 2 once took the daemon down (its load journal says so): B refuses it.
        var refusing = environment
        refusing["AGENT_HOST_ISOLATION"] = "in-process"
        let b = try DaemonProcess(plugins: [DaemonProcess.plugin("UpgradeDemoV1")], environment: refusing)
        let journal = #"{"poisoned": [{"file": "libUpgradeDemoV2.so", "sha256": "\#(v2)", "at": "2024-01-01T00:00:00Z"}]}"#
        try Data(journal.utf8).write(to: b.dataDirectory.appendingPathComponent("load-journal.json"))
        try a.start()
        defer { a.stop() }
        try b.start()
        defer { b.stop() }

        try Self.agentHost(["deploy", DaemonProcess.plugin("UpgradeDemoV2").path, "--database", url])
        try await Self.waitUntilActive(v2, on: [a])
        try await waitUntil { try await !(Self.agents(b)["refusals"]?.arrayValue ?? []).isEmpty }
        let agents = try await Self.agents(b)
        #expect(agents.activeSha256(of: "upgrade-demo") == v1)
        #expect(agents.agent("upgrade-demo")?["decidedSha256"]?.stringValue == v2)
        let refusal = try #require(agents["refusals"]?.arrayValue?.first)
        #expect(refusal["file"]?.stringValue == "libUpgradeDemoV2.so")
        #expect(refusal["sha256"]?.stringValue == v2)
        #expect(refusal["reason"]?.stringValue?.contains("killed or hung the daemon") == true)

        // B serves build 1 meanwhile.
        let token = try await b.client.createSession("kept", agent: "upgrade-demo", secret: b.secretKey).token
        try await b.client.sendMessage("hi", chatId: "kept", token: token)
        #expect(Self.builds(try await b.client.readEvents(chatId: "kept", token: token) { $0.completedTurns() == 1 }) == ["1"])
    }
}

extension JSONValue {
    /// One agent of a `GET /api/v1/agents` reply.
    fileprivate func agent(_ id: String) -> JSONValue? {
        self["agents"]?.arrayValue?.first { $0["id"]?.stringValue == id }
    }
}
