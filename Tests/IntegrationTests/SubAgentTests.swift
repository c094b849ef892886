import AgentHostClient
import AgentWire
import Foundation
import TestSupport
import Testing

extension DaemonProcess {
    static var subAgentsDemoPlugin: URL { binDirectory.appendingPathComponent("libSubAgentsDemo.so") }
}

extension ProviderIntegration {
    /// Sub-agents through the real daemon: the SubAgentsDemo orchestrator
    /// delegates to its `researcher` and to MyChat's `my-chat` (another .so),
    /// in a worker process and in the daemon's own.
    @Suite struct SubAgentTests {
        private static func daemon(_ isolation: String, arguments: [String] = [], environment: [String: String] = [:]) throws -> DaemonProcess {
            let daemon = try DaemonProcess(
                plugins: [DaemonProcess.subAgentsDemoPlugin, DaemonProcess.myChatPlugin], environment: environment,
                arguments: ["--isolation", isolation] + arguments
            )
            try daemon.start()
            return daemon
        }

        /// The child session's events from its start, read with the daemon's secret key.
        private static func childEvents(_ daemon: DaemonProcess, _ chatId: String, until: @escaping ([TestEvent]) -> Bool) async throws -> [TestEvent] {
            try await daemon.client.readEvents(chatId: chatId, token: daemon.secretKey, until: until)
        }

        @Test(arguments: ["worker", "in-process"])
        func aParentDelegatesToAChildInAnotherPlugin(isolation: String) async throws {
            let daemon = try Self.daemon(isolation)
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "orch", agent: "orchestrator")
            let events = try await chat.turn(#"/tool research {"message":"/slow 8"}"#)
            let callId = try #require(events.first("tool-input-available")?["toolCallId"]?.stringValue)
            let childId = "orch~\(callId)"
            let outputs = events.filter { $0.type == "tool-output-available" }.map(\.json)
            let preliminary = outputs.filter { $0["preliminary"] == true }
            // The child's progress: snapshots of its answer message, linked to its session, then one final output.
            #expect(!preliminary.isEmpty)
            for snapshot in preliminary {
                #expect(snapshot["toolCallId"]?.stringValue == callId)
                #expect(snapshot["output"]?["role"] == "assistant")
                #expect(snapshot["output"]?["metadata"]?["subAgent"] == ["chatId": .string(childId), "agent": "researcher"])
            }
            let final = outputs.filter { $0["preliminary"] == nil }
            #expect(final == [["type": "tool-output-available", "toolCallId": .string(callId), "output": "1 2 3 4 5 6 7 8"]])
            #expect(outputs.last == final.last)
            // The parent's model saw the final output.
            #expect(events.text == #"research returned "1 2 3 4 5 6 7 8""#)

            // The child is a session of its own, linked to its parent, with its own history.
            let info = try await daemon.client.send(.GET, "/api/v1/sessions/\(childId)", token: daemon.secretKey).json
            #expect(info?["agent"] == "researcher")
            #expect(info?["parentChatId"] == "orch")
            #expect(info?["toolCallId"]?.stringValue == callId)
            let parentInfo = try await daemon.client.send(.GET, "/api/v1/sessions/orch", token: daemon.secretKey).json
            #expect(parentInfo?["children"] == [["chatId": .string(childId), "agent": "researcher", "status": "idle", "toolCallId": .string(callId)]])
            // The parent chat's token reads the child (history and stream), and cannot write to it.
            let history = try await daemon.client.send(.GET, "/realtime/v1/sessions/\(childId)/messages", token: chat.token)
            #expect(history.status == 200)
            let messages = history.json?["messages"]?.arrayValue ?? []
            #expect(messages.map { $0["role"]?.stringValue } == ["user", "assistant"])
            #expect(messages.first?["parts"]?.arrayValue?.first?["text"] == "/slow 8")
            let childEvents = try await daemon.client.readEvents(chatId: childId, token: chat.token) { $0.contains { $0.type == "finish" } }
            #expect(childEvents.text == "1 2 3 4 5 6 7 8")
            let write = try await daemon.client.send(
                .POST, "/realtime/v1/sessions/\(childId)/in", token: chat.token,
                body: #"{"kind":"message","message":{"id":"intruder","role":"user","parts":[{"type":"text","text":"hi"}]}}"#
            )
            #expect(write.status == 403)

            // The agents listing shows the delegation.
            let agents = try await daemon.client.send(.GET, "/api/v1/agents", token: daemon.secretKey).json
            let tools = agents?["agents"]?.arrayValue?.first { $0["id"] == "orchestrator" }?["tools"]?.arrayValue ?? []
            #expect(tools.first { $0["name"] == "research" }?["agent"] == "researcher")
            #expect(tools.first { $0["name"] == "askAgent" }?["agent"] == nil)
        }

        @Test(arguments: ["worker", "in-process"])
        func anAgentInAnotherPluginAnswersByIdFromCode(isolation: String) async throws {
            let daemon = try Self.daemon(isolation)
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "cross", agent: "orchestrator")
            let events = try await chat.turn(#"/tool askAgent {"agent":"my-chat","message":"/slow 5"}"#)
            let callId = try #require(events.first("tool-input-available")?["toolCallId"]?.stringValue)
            let childId = "cross~\(callId)"
            #expect(events.contains { $0.type == "tool-output-available" && $0.json["preliminary"] == true })
            let final = events.filter { $0.type == "tool-output-available" && $0.json["preliminary"] == nil }.map { $0.json["output"] }
            #expect(final == [["answer": "1 2 3 4 5", "chatId": .string(childId)]])
            let info = try await daemon.client.send(.GET, "/api/v1/sessions/\(childId)", token: daemon.secretKey).json
            #expect(info?["agent"] == "my-chat")
            #expect(info?["parentChatId"] == "cross")
        }

        @Test func anUnknownAgentIsAToolErrorTheModelReads() async throws {
            let daemon = try Self.daemon("in-process")
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "lost", agent: "orchestrator")
            let events = try await chat.turn(#"/tool askAgent {"agent":"nobody","message":"hello"}"#)
            let error = try #require(events.first("tool-output-error")?["errorText"]?.stringValue)
            #expect(error.contains("sub-agent `nobody` does not exist"))
            #expect(events.text == "Tool askAgent failed: \(error)")
            #expect(events.finishReason == "stop")
            // No session was made for it.
            let sessions = try await daemon.client.send(.GET, "/api/v1/sessions", token: daemon.secretKey).json
            #expect(sessions?["data"]?.arrayValue?.count == 1)
        }

        @Test func selfRecursionStopsAtTheDepthLimit() async throws {
            let daemon = try Self.daemon("in-process", arguments: ["--max-agent-depth", "2"])
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "loop", agent: "orchestrator")
            let events = try await chat.turn("/tool deeper {}")
            // The deepest orchestrator's call was refused; its model read why, and that answer came back up.
            #expect(events.text.contains("sub-agent `orchestrator` was not called"))
            #expect(events.text.contains("serve --max-agent-depth"))
            #expect(events.finishReason == "stop")
            let sessions = try await daemon.client.send(.GET, "/api/v1/sessions?agent=orchestrator", token: daemon.secretKey).json
            let rows = sessions?["data"]?.arrayValue ?? []
            #expect(rows.count == 3)
            #expect(rows.compactMap { $0["parentChatId"]?.stringValue }.count == 2)
        }

        @Test(arguments: ["worker", "in-process"])
        func stopOnTheParentStopsTheChild(isolation: String) async throws {
            let daemon = try Self.daemon(isolation)
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "halt", agent: "orchestrator")
            try await chat.client.sendMessage(#"/tool research {"message":"/slow 100000"}"#, chatId: chat.chatId, token: chat.token)
            let running = try await chat.client.readEvents(chatId: chat.chatId, token: chat.token) { events in
                events.contains { $0.type == "tool-output-available" && $0.json["preliminary"] == true }
            }
            let callId = try #require(running.first("tool-input-available")?["toolCallId"]?.stringValue)
            let stop = try await chat.client.send(.POST, "/realtime/v1/sessions/\(chat.chatId)/in", token: chat.token, body: #"{"kind":"stop"}"#)
            #expect(stop.status == 200)
            let stopped = try await chat.nextTurn()
            #expect(stopped.types.suffix(2) == ["abort", "data-turn-complete"])
            // The child's turn was stopped too: it ends in `abort`, not after 100000 words.
            let child = try await Self.childEvents(daemon, "halt~\(callId)") { $0.last?.type == "data-turn-complete" }
            #expect(child.types.suffix(2) == ["abort", "data-turn-complete"])
        }

        @Test(arguments: ["worker", "in-process"])
        func aKilledDaemonResumesTheChildAndCompletesTheCallOnce(isolation: String) async throws {
            let daemon = try Self.daemon(isolation, environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "40"])
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "crash", agent: "orchestrator")
            try await chat.client.sendMessage(#"/tool research {"message":"/slow 40"}"#, chatId: chat.chatId, token: chat.token)
            // The child is answering: a snapshot with some of its words arrived.
            let before = try await chat.client.readEvents(chatId: chat.chatId, token: chat.token) { events in
                events.contains { $0.type == "tool-output-available" && ($0.json["output"]?["parts"]?.arrayValue?.isEmpty == false) }
            }
            let callId = try #require(before.first("tool-input-available")?["toolCallId"]?.stringValue)
            try daemon.crashAndRestart()
            chat.client = daemon.client

            let all = try await chat.client.readEvents(chatId: chat.chatId, token: chat.token) { $0.last?.type == "data-turn-complete" }
            let words = (1...40).map(String.init).joined(separator: " ")
            let finals = all.filter { $0.type == "tool-output-available" && $0.json["preliminary"] == nil }
            #expect(finals.map { $0.json["output"] } == [.string(words)])
            #expect(all.text.hasSuffix(#"research returned "\#(words)""#))
            // Exactly one child for the call, which answered once: one turn, resumed after the crash.
            let sessions = try await daemon.client.send(.GET, "/api/v1/sessions?agent=researcher", token: daemon.secretKey).json
            let rows = sessions?["data"]?.arrayValue ?? []
            #expect(rows.map { $0["chatId"]?.stringValue } == ["crash~\(callId)"])
            let child = try await Self.childEvents(daemon, "crash~\(callId)") { $0.last?.type == "data-turn-complete" }
            #expect(child.filter { $0.type == "data-turn-start" }.count == 1)
            #expect(child.contains { $0.type == "data-interrupted" })
            #expect(child.text == words)
        }
    }
}
