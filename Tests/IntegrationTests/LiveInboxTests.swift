import AgentHostClient
import AgentWire
import Foundation
import Synchronization
import TestSupport
import Testing

/// The live inbox against the real daemon: the session change feed
/// (`GET /api/v1/session-events`) while sessions are created, run turns and
/// finish; a tool turn's timeline (`…/timeline`); and `agent-host sessions` /
/// `agent-host agents` run as a person runs them.
@Suite struct LiveInboxTests {
    static var binary: URL { DaemonProcess.binDirectory.appendingPathComponent("agent-host") }

    /// The feed's events, read by a task as they come.
    final class FeedReader: Sendable {
        final class Events: Sendable {
            let list = Mutex<[(id: String?, json: JSONValue)]>([])
        }

        private let events = Events()
        private let task: Task<Void, Never>

        init(_ changes: ServerSentEventStream) {
            let events = events
            task = Task {
                do {
                    for try await event in changes {
                        let json = (try? WireCoding.decode(JSONValue.self, from: event.data)) ?? .null
                        events.list.withLock { $0.append((event.id, json)) }
                    }
                } catch {}
            }
        }

        deinit { task.cancel() }

        var all: [(id: String?, json: JSONValue)] { events.list.withLock { $0 } }

        /// The sessions the `session` events of `chatId` carried, in order.
        func sessions(_ chatId: String) -> [JSONValue] {
            all.map(\.json).filter { $0["type"] == "session" && $0["session"]?["chatId"] == .string(chatId) }.compactMap { $0["session"] }
        }
    }

    @Test func theFeedFollowsSessionsThroughCreationTurnsAnApprovalAndClose() async throws {
        try await withDaemon(plugins: [DaemonProcess.myChatPlugin, DaemonProcess.toolsDemoPlugin]) { daemon, client in
            let feed = FeedReader(try await client.sessionChanges())
            try await waitUntil { feed.all.first?.json == ["type": "reset"] }

            // A session made and answered: created, running with the user's message, idle with the answer.
            let (_, token) = try await client.createSession("inbox-1", secret: daemon.secretKey)
            try await waitUntil { feed.sessions("inbox-1").first?["status"] == "idle" }
            try await client.sendMessage("hello inbox", chatId: "inbox-1", token: token)
            try await waitUntil {
                let last = feed.sessions("inbox-1").last
                return last?["status"] == "idle" && last?["lastMessage"]?["text"] == "You said: hello inbox"
            }
            let statuses = feed.sessions("inbox-1").compactMap { $0["status"]?.stringValue }
            #expect(statuses.first == "idle" && statuses.contains("running") && statuses.last == "idle", "\(statuses)")
            #expect(feed.sessions("inbox-1").contains { $0["lastMessage"]?["text"] == "hello inbox" && $0["lastMessage"]?["role"] == "user" })
            #expect(feed.sessions("inbox-1").last?["lastMessage"]?["role"] == "assistant")

            // A turn that stops for a person's approval shows as awaiting-input.
            let (_, approvalToken) = try await client.createSession("inbox-2", agent: "tools-demo", secret: daemon.secretKey)
            try await client.sendMessage(#"/tool transfer {"amount":500,"to":"Alice"}"#, chatId: "inbox-2", token: approvalToken)
            try await waitUntil { feed.sessions("inbox-2").last?["status"] == "awaiting-input" }

            // The event is the list's entry for the session, field for field.
            let page = try #require(try await client.listSessions().json)
            let listed = try #require(page["data"]?.arrayValue?.first { $0["chatId"] == "inbox-1" })
            #expect(feed.sessions("inbox-1").last == listed)

            // A subscriber from the list's cursor gets what changed after the list, and nothing missed.
            let cursor = try #require(page["feedCursor"]?.stringValue)
            let resumed = FeedReader(try await client.sessionChanges(after: cursor))
            let closed = try await client.using(token: daemon.secretKey).request(.POST, "/api/v1/sessions/inbox-1/close")
            #expect(closed.status == 200)
            try await waitUntil { resumed.sessions("inbox-1").last?["status"] == "closed" && feed.sessions("inbox-1").last?["status"] == "closed" }
            #expect(resumed.all.first?.json["type"] == "session", "a held cursor resumes without a reset")
            let ids = feed.all.compactMap(\.id)
            #expect(Set(ids).count == ids.count, "every event has its own id")
        }
    }

    @Test func aToolTurnsTimelineShowsItsStepsModelBuildTokensAndToolDuration() async throws {
        try await withDaemon(plugins: [DaemonProcess.toolsDemoPlugin]) { daemon, client in
            let (_, token) = try await client.createSession("timeline-1", agent: "tools-demo", secret: daemon.secretKey)
            let inSeq = try await client.sendMessage(#"/tool calculator {"expression":"2+3"}"#, chatId: "timeline-1", token: token)
            _ = try await client.readEvents(chatId: "timeline-1", token: token) { $0.completedTurns() == 1 }

            let timeline = try #require(try await client.using(token: token).timeline("timeline-1").json)
            let turns = try #require(timeline["turns"]?.arrayValue)
            #expect(turns.count == 1)
            let turn = try #require(turns.first)
            #expect(turn["inSeq"]?.doubleValue == Double(inSeq))
            #expect(turn["outcome"] == "finished")
            #expect(turn["finishReason"] == "stop")
            #expect((turn["durationMs"]?.doubleValue ?? -1) >= 0)
            let steps = try #require(turn["steps"]?.arrayValue)
            #expect(steps.map { $0["step"]?.doubleValue } == [1, 2])
            let agents = try #require(try await client.agents().json)
            let generation = agents["agents"]?.arrayValue?.first { $0["id"] == "tools-demo" }?["activeGeneration"]
            for step in steps {
                #expect(step["model"]?.stringValue?.hasPrefix("scripted") == true, "\(step)")
                #expect(step["generation"] == generation)
                #expect((step["inputTokens"]?.doubleValue ?? 0) > 0)
                #expect((step["durationMs"]?.doubleValue ?? -1) >= 0)
            }
            let tools = try #require(steps[0]["tools"]?.arrayValue)
            #expect(tools.map { $0["toolName"] } == ["calculator"])
            #expect(tools.first?["state"] == "output-available")
            #expect((tools.first?["durationMs"]?.doubleValue ?? -1) >= 0)
            #expect(steps[1]["tools"]?.arrayValue?.isEmpty == true)

            // The step records are private: the stream is what it always was.
            let events = try await client.readEvents(chatId: "timeline-1", token: token) { $0.completedTurns() == 1 }
            #expect(!events.map(\.type).contains { $0.contains("step") && $0 != "start-step" && $0 != "finish-step" })
            // A read token of another chat does not read this timeline.
            let other = try await client.mintToken(read: ["someone-else"])
            #expect(try await client.send(.GET, "/realtime/v1/sessions/timeline-1/timeline", token: other).status == 403)
        }
    }

    @Test func theSessionsAndAgentsCommandsPrintTablesAndJSON() async throws {
        try await withDaemon(plugins: [DaemonProcess.myChatPlugin, DaemonProcess.subAgentsDemoPlugin, DaemonProcess.toolsDemoPlugin]) { daemon, client in
            let (_, token) = try await client.createSession("cli-table-chat", secret: daemon.secretKey)
            try await client.sendMessage("hello table", chatId: "cli-table-chat", token: token)
            _ = try await client.readEvents(chatId: "cli-table-chat", token: token) { $0.completedTurns() == 1 }
            _ = try await client.createSession("cli-second", agent: "tools-demo", secret: daemon.secretKey)
            let connection = ["--url", daemon.baseURL, "--data", daemon.dataDirectory.path]

            let (status, sessions) = try Command.run([Self.binary.path, "sessions"] + connection)
            #expect(status == 0, "\(sessions)")
            let lines = sessions.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("CHAT ID") == true, "\(sessions)")
            #expect(lines.first?.contains("LAST MESSAGE") == true)
            let row = try #require(lines.first { $0.hasPrefix("cli-table-chat") }, "\(sessions)")
            #expect(row.contains("my-chat") && row.contains("idle") && row.contains("agent: You said: hello table"), "\(row)")
            #expect(lines.contains { $0.hasPrefix("cli-second") && $0.contains("tools-demo") && $0.hasSuffix("—") }, "\(sessions)")
            // The columns line up: each row's status starts where the header's STATUS does.
            let statusColumn = try #require(lines.first?.range(of: "STATUS")?.lowerBound.utf16Offset(in: lines[0]))
            for line in lines.dropFirst() {
                #expect(String(line.dropFirst(statusColumn)).hasPrefix("idle"), "\(line)")
            }

            let (jsonStatus, json) = try Command.run([Self.binary.path, "sessions", "--json"] + connection)
            #expect(jsonStatus == 0)
            let page = try WireCoding.decode(JSONValue.self, from: json)
            #expect(page["data"]?.arrayValue?.count == 2)
            #expect(page["feedCursor"]?.stringValue != nil)

            let (agentsStatus, agents) = try Command.run([Self.binary.path, "agents"] + connection)
            #expect(agentsStatus == 0, "\(agents)")
            let agentLines = agents.split(separator: "\n").map(String.init)
            #expect(agentLines.first?.hasPrefix("AGENT") == true && agentLines.first?.contains("ACTIVE BUILD") == true, "\(agents)")
            let snapshot = try #require(try await client.agents().json)
            let tools = try #require(snapshot["agents"]?.arrayValue?.first { $0["id"] == "tools-demo" })
            let sha = try #require(tools["generations"]?.arrayValue?.first?["sha256"]?.stringValue)
            let toolsRow = try #require(agentLines.first { $0.hasPrefix("tools-demo") }, "\(agents)")
            #expect(toolsRow.contains("gen \(Int(tools["activeGeneration"]?.doubleValue ?? 0))") && toolsRow.contains(String(sha.prefix(12))), "\(toolsRow)")
            #expect(toolsRow.contains("calculator") && toolsRow.contains("transfer (approval)") && toolsRow.contains("getLocation (client)"), "\(toolsRow)")
            let delegating = snapshot["agents"]?.arrayValue?.flatMap { agent in
                (agent["tools"]?.arrayValue ?? []).compactMap { tool in
                    tool["agent"]?.stringValue.map { (agent["id"]?.stringValue ?? "", tool["name"]?.stringValue ?? "", $0) }
                }
            } ?? []
            let (agent, tool, delegate) = try #require(delegating.first, "the sub-agents demo delegates")
            #expect(agentLines.contains { $0.hasPrefix(agent) && $0.contains("\(tool) → \(delegate)") }, "\(agents)")

            let (agentsJSONStatus, agentsJSON) = try Command.run([Self.binary.path, "agents", "--json"] + connection)
            #expect(agentsJSONStatus == 0)
            #expect(try WireCoding.decode(JSONValue.self, from: agentsJSON)["agents"] == snapshot["agents"])
        }
    }
}
