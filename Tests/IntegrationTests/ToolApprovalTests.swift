import AgentHostClient
import AgentWire
import Foundation
import TestSupport
import Testing

/// Human in the loop over real HTTP: tools that need a person's approval and
/// client-side tools end the turn (`awaiting-input`); the answer continues the
/// same assistant message. Driven by the scripted model (`/tool NAME {json}`)
/// against the ToolsDemo plugin's `transfer` (approval above 100) and
/// `getLocation` (client-side).
@Suite struct ToolApprovalTests {
    /// The slim part `addToolApprovalResponse` sends.
    static func approval(_ request: JSONValue?, tool: String = "transfer", approved: Bool, reason: String? = nil) -> JSONValue {
        var approval: [String: JSONValue] = ["id": request?["approvalId"] ?? .null, "approved": .bool(approved)]
        if let reason { approval["reason"] = .string(reason) }
        return [
            "type": .string("tool-\(tool)"), "toolCallId": request?["toolCallId"] ?? .null,
            "state": "approval-responded", "approval": .object(approval),
        ]
    }

    static let askingTurn = [
        "data-turn-start", "start", "start-step", "tool-input-start", "tool-input-delta", "tool-input-available",
        "tool-approval-request", "finish-step", "finish", "data-turn-complete",
    ]

    @Test func anApprovedCallRunsAndTheAnswerContinuesInTheSameMessage() async throws {
        let daemon = try DaemonProcess.started(plugins: [DaemonProcess.toolsDemoPlugin], environment: [:])
        defer { daemon.stop() }
        var chat = try await ChatSession(daemon: daemon, chatId: "approve", agent: "tools-demo")

        let asking = try await chat.turn(#"/tool transfer {"amount":500,"to":"Alice"}"#)
        #expect(asking.types == Self.askingTurn)
        #expect(asking.finishReason == "tool-calls")
        let request = try #require(asking.first("tool-approval-request"))
        let callId = try #require(asking.first("tool-input-available")?["toolCallId"]?.stringValue)
        #expect(request["toolCallId"]?.stringValue == callId)
        #expect(request["approvalId"]?.stringValue?.isEmpty == false)
        let messageId = try #require(asking.first("start")?["messageId"]?.stringValue)
        #expect(try await chat.status(secret: daemon.secretKey) == "awaiting-input")
        let waiting = try #require(try await chat.history().last?["parts"]?.arrayValue?.first { $0["type"] == "tool-transfer" })
        #expect(waiting["state"] == "approval-requested")
        #expect(waiting["approval"]?["id"] == request["approvalId"])

        let reply = try await chat.answer(messageId: messageId, parts: [Self.approval(request, approved: true)])
        #expect(reply.status == 200)
        let continued = try await chat.nextTurn()
        #expect(continued.types == [
            "data-turn-start", "start", "tool-output-available",
            "start-step", "text-start", "text-delta", "text-delta", "text-delta", "text-end", "finish-step", "finish", "data-turn-complete",
        ])
        #expect(continued.first("start")?["messageId"]?.stringValue == messageId)
        let receipt: JSONValue = ["transferred": 500, "to": "Alice", "reference": "tx-alice-500"]
        #expect(continued.first("tool-output-available") == ["type": "tool-output-available", "toolCallId": .string(callId), "output": receipt])
        #expect(continued.text == #"transfer returned {"reference":"tx-alice-500","to":"Alice","transferred":500}"#)
        #expect(continued.finishReason == "stop")
        #expect(try await chat.status(secret: daemon.secretKey) == "idle")

        // One user message and one answer: the continuation went into the same message.
        let history = try await chat.history()
        #expect(history.count == 2)
        #expect(history.last?["id"]?.stringValue == messageId)
        let part = history.last?["parts"]?.arrayValue?.first { $0["type"] == "tool-transfer" }
        #expect(part?["state"] == "output-available")
        #expect(part?["output"] == receipt)
        #expect(part?["approval"]?["approved"] == true)
        #expect(history.last?["parts"]?.arrayValue?.filter { $0["type"] == "step-start" }.count == 2)
    }

    @Test func aSmallTransferRunsWithoutAskingBecauseThePluginDecidesPerCall() async throws {
        let daemon = try DaemonProcess.started(plugins: [DaemonProcess.toolsDemoPlugin], environment: [:])
        defer { daemon.stop() }
        var chat = try await ChatSession(daemon: daemon, chatId: "small", agent: "tools-demo")
        let events = try await chat.turn(#"/tool transfer {"amount":50}"#)
        #expect(!events.types.contains("tool-approval-request"))
        #expect(events.first("tool-output-available")?["output"]?["reference"] == "tx-savings-50")
        #expect(events.finishReason == "stop")
        #expect(try await chat.status(secret: daemon.secretKey) == "idle")
    }

    /// The other tests run the plugin in a worker process (the default), where the
    /// per-call check travels as a `call_tool` frame; here it is a direct call.
    @Test func anInProcessPluginDecidesPerCallAndRunsTheApprovedCallTheSame() async throws {
        let daemon = try DaemonProcess.started(
            plugins: [DaemonProcess.toolsDemoPlugin], environment: ["AGENT_HOST_ISOLATION": "in-process"]
        )
        defer { daemon.stop() }
        var chat = try await ChatSession(daemon: daemon, chatId: "in-process", agent: "tools-demo")
        let small = try await chat.turn(#"/tool transfer {"amount":50}"#)
        #expect(!small.types.contains("tool-approval-request"))
        let asking = try await chat.turn(#"/tool transfer {"amount":500}"#)
        let request = try #require(asking.first("tool-approval-request"))
        let messageId = try #require(asking.first("start")?["messageId"]?.stringValue)
        #expect(try await chat.answer(messageId: messageId, parts: [Self.approval(request, approved: true)]).status == 200)
        let continued = try await chat.nextTurn()
        #expect(continued.first("tool-output-available")?["output"]?["reference"] == "tx-savings-500")
    }

    @Test func aDeniedCallNeverRunsAndTheModelIsTold() async throws {
        let daemon = try DaemonProcess.started(plugins: [DaemonProcess.toolsDemoPlugin], environment: [:])
        defer { daemon.stop() }
        var chat = try await ChatSession(daemon: daemon, chatId: "deny", agent: "tools-demo")
        let asking = try await chat.turn(#"/tool transfer {"amount":900}"#)
        let request = asking.first("tool-approval-request")
        let messageId = try #require(asking.first("start")?["messageId"]?.stringValue)

        let reply = try await chat.answer(messageId: messageId, parts: [Self.approval(request, approved: false, reason: "too much")])
        #expect(reply.status == 200)
        let continued = try await chat.nextTurn()
        #expect(Array(continued.types.prefix(4)) == ["data-turn-start", "start", "tool-output-denied", "start-step"])
        #expect(!continued.types.contains("tool-output-available"))
        #expect(continued.first("tool-output-denied")?["toolCallId"] == request?["toolCallId"])
        #expect(continued.text == "Tool transfer failed: The user denied this call; the tool did not run: too much")
        let part = try await chat.history().last?["parts"]?.arrayValue?.first { $0["type"] == "tool-transfer" }
        #expect(part?["state"] == "output-denied")
        #expect(part?["approval"]?["approved"] == false)
        #expect(part?["approval"]?["reason"] == "too much")
        #expect(part?["output"] == nil)
    }

    @Test func aClientSideToolWaitsForTheClientsOutput() async throws {
        let daemon = try DaemonProcess.started(plugins: [DaemonProcess.toolsDemoPlugin], environment: [:])
        defer { daemon.stop() }
        var chat = try await ChatSession(daemon: daemon, chatId: "client-tool", agent: "tools-demo")
        let asking = try await chat.turn("/tool getLocation {}")
        #expect(asking.types == [
            "data-turn-start", "start", "start-step", "tool-input-start", "tool-input-delta", "tool-input-available",
            "finish-step", "finish", "data-turn-complete",
        ])
        #expect(asking.finishReason == "tool-calls")
        #expect(try await chat.status(secret: daemon.secretKey) == "awaiting-input")
        let callId = try #require(asking.first("tool-input-available")?["toolCallId"])
        let messageId = try #require(asking.first("start")?["messageId"]?.stringValue)

        let location: JSONValue = ["city": "Berlin"]
        let part: JSONValue = ["type": "tool-getLocation", "toolCallId": callId, "state": "output-available", "output": location]
        #expect(try await chat.answer(messageId: messageId, parts: [part]).status == 200)
        let continued = try await chat.nextTurn()
        #expect(continued.first("start")?["messageId"]?.stringValue == messageId)
        #expect(!continued.types.contains("tool-output-available"))
        #expect(continued.text == #"getLocation returned {"city":"Berlin"}"#)
        let stored = try await chat.history().last?["parts"]?.arrayValue?.first { $0["type"] == "tool-getLocation" }
        #expect(stored?["state"] == "output-available")
        #expect(stored?["output"] == location)
    }

    @Test func twoWaitingCallsContinueOnlyOnceBothAreAnswered() async throws {
        let daemon = try DaemonProcess.started(plugins: [DaemonProcess.toolsDemoPlugin], environment: [:])
        defer { daemon.stop() }
        var chat = try await ChatSession(daemon: daemon, chatId: "two", agent: "tools-demo")
        let asking = try await chat.turn("/tool transfer {\"amount\":500}\n/tool transfer {\"amount\":700,\"to\":\"Bob\"}")
        let requests = asking.filter { $0.type == "tool-approval-request" }.map(\.json)
        #expect(requests.count == 2)
        let messageId = try #require(asking.first("start")?["messageId"]?.stringValue)

        let first = try await chat.answer(messageId: messageId, parts: [Self.approval(requests.first, approved: true)])
        #expect(first.status == 200)
        #expect(first.json?["startsTurn"] == false)
        #expect(try await chat.status(secret: daemon.secretKey) == "awaiting-input")
        let stored = try await chat.history().last?["parts"]?.arrayValue?.filter { $0["type"] == "tool-transfer" }
        #expect(stored?.map { $0["state"] } == ["approval-responded", "approval-requested"])

        let second = try await chat.answer(messageId: messageId, parts: [Self.approval(requests.last, approved: false)])
        let secondSeq = try #require(second.json?["seq"])
        #expect(second.json?["startsTurn"] == nil)
        let continued = try await chat.nextTurn()
        // The turn answers the second answer: the first started none.
        #expect(continued.first?.json["data"]?["inSeq"] == secondSeq)
        #expect(Array(continued.types.prefix(5)) == ["data-turn-start", "start", "tool-output-available", "tool-output-denied", "start-step"])
        #expect(continued.first("tool-output-available")?["output"]?["reference"] == "tx-savings-500")
        #expect(continued.completedTurns() == 1)
        #expect(try await chat.status(secret: daemon.secretKey) == "idle")
    }

    @Test func bogusAnswersAreRefusedAndChangeNothingDuplicatesAreHarmless() async throws {
        let daemon = try DaemonProcess.started(plugins: [DaemonProcess.toolsDemoPlugin], environment: [:])
        defer { daemon.stop() }
        var chat = try await ChatSession(daemon: daemon, chatId: "bogus", agent: "tools-demo")
        let asking = try await chat.turn(#"/tool transfer {"amount":500}"#)
        let request = try #require(asking.first("tool-approval-request"))
        let messageId = try #require(asking.first("start")?["messageId"]?.stringValue)
        let before = try await chat.history()

        var unknownCall = Self.approval(request, approved: true)
        unknownCall = ["type": "tool-transfer", "toolCallId": "call_nope", "state": "approval-responded", "approval": unknownCall["approval"] ?? .null]
        var wrongApproval = Self.approval(request, approved: true)
        wrongApproval = ["type": "tool-transfer", "toolCallId": request["toolCallId"] ?? .null, "state": "approval-responded",
                         "approval": ["id": "approval-forged", "approved": true]]
        var changedInput = Self.approval(request, approved: true)
        if case .object(var fields) = changedInput {
            fields["input"] = ["amount": 5]
            changedInput = .object(fields)
        }
        let refusals: [(String, String, [JSONValue])] = [
            ("unknown call", messageId, [unknownCall]),
            ("unknown approval", messageId, [wrongApproval]),
            ("changed input", messageId, [changedInput]),
            ("unknown message", "msg-nope", [Self.approval(request, approved: true)]),
            ("no tool part", messageId, [["type": "text", "text": "yes"]]),
        ]
        for (label, id, parts) in refusals {
            let reply = try await chat.answer(messageId: id, parts: parts)
            #expect(reply.status == 400, "\(label)")
            #expect(reply.json?["error"]?["code"] == "bad_request", "\(label)")
        }
        #expect(try await chat.history() == before)
        #expect(try await chat.status(secret: daemon.secretKey) == "awaiting-input")

        let approve = Self.approval(request, approved: true)
        #expect(try await chat.answer(messageId: messageId, parts: [approve]).status == 200)
        let continued = try await chat.nextTurn()
        #expect(continued.completedTurns() == 1)
        let after = try await chat.history()

        // The same answer again: accepted, nothing happens; a different one: 409.
        let again = try await chat.answer(messageId: messageId, parts: [approve])
        #expect(again.status == 200)
        #expect(again.json?["startsTurn"] == false)
        let flipped = try await chat.answer(messageId: messageId, parts: [Self.approval(request, approved: false)])
        #expect(flipped.status == 409)
        #expect(try await chat.history() == after)
        #expect(try await chat.status(secret: daemon.secretKey) == "idle")
        // Nothing more was written: a new message is answered by the next turn, and only by it.
        let next = try await chat.turn("hello")
        #expect(next.text == "You said: hello")
        #expect(next.completedTurns() == 1)
    }

    @Test func aNewMessageClosesWaitingCallsAsDenied() async throws {
        let daemon = try DaemonProcess.started(plugins: [DaemonProcess.toolsDemoPlugin], environment: [:])
        defer { daemon.stop() }
        var chat = try await ChatSession(daemon: daemon, chatId: "moved-on", agent: "tools-demo")
        let asking = try await chat.turn(#"/tool transfer {"amount":500}"#)
        let request = try #require(asking.first("tool-approval-request"))
        let messageId = try #require(asking.first("start")?["messageId"]?.stringValue)

        let next = try await chat.turn("never mind")
        #expect(next.text == "You said: never mind")
        #expect(try await chat.status(secret: daemon.secretKey) == "idle")
        let part = try await chat.history().first { $0["id"]?.stringValue == messageId }?["parts"]?.arrayValue?
            .first { $0["type"] == "tool-transfer" }
        #expect(part?["state"] == "output-denied")
        #expect(part?["approval"]?["approved"] == false)
        // Too late: the call is closed and never runs.
        let late = try await chat.answer(messageId: messageId, parts: [Self.approval(request, approved: true)])
        #expect(late.status == 409)
    }

    @Test func aMessageQueuedBehindATurnThatEndsOnAClientCallClosesThatCall() async throws {
        // Slow words: the second message arrives while the first turn still streams.
        let daemon = try DaemonProcess.started(plugins: [DaemonProcess.toolsDemoPlugin], environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "200"])
        defer { daemon.stop() }
        let chat = try await ChatSession(daemon: daemon, chatId: "queued-behind", agent: "tools-demo")
        try await chat.client.sendMessage("/tool getLocation {}", chatId: chat.chatId, token: chat.token)
        try await chat.client.sendMessage("hello", chatId: chat.chatId, token: chat.token)
        let events = try await chat.client.readEvents(chatId: chat.chatId, token: chat.token) { $0.completedTurns() == 2 }
        #expect(events.text.hasSuffix("You said: hello"))
        #expect(try await chat.status(secret: daemon.secretKey) == "idle")
        // The client call the first turn ended on is closed, not left waiting forever.
        let part = try await chat.history().compactMap { $0["parts"]?.arrayValue }.joined().first { $0["type"] == "tool-getLocation" }
        #expect(part?["state"] == "output-error")
    }

    @Test func aWaitingApprovalSurvivesKill9AndRunsAfterTheRestart() async throws {
        let daemon = try DaemonProcess.started(plugins: [DaemonProcess.toolsDemoPlugin], environment: [:])
        defer { daemon.stop() }
        var chat = try await ChatSession(daemon: daemon, chatId: "crash", agent: "tools-demo")
        let asking = try await chat.turn(#"/tool transfer {"amount":500}"#)
        let request = asking.first("tool-approval-request")
        let messageId = try #require(asking.first("start")?["messageId"]?.stringValue)

        try daemon.crashAndRestart()
        chat.client = daemon.client
        #expect(try await chat.status(secret: daemon.secretKey) == "awaiting-input")
        #expect(try await chat.answer(messageId: messageId, parts: [Self.approval(request, approved: true)]).status == 200)
        let continued = try await chat.nextTurn()
        #expect(continued.first("start")?["messageId"]?.stringValue == messageId)
        #expect(continued.first("tool-output-available")?["output"]?["reference"] == "tx-savings-500")
        #expect(continued.finishReason == "stop")
    }

    @Test func aWaitingApprovalSurvivesIdleEviction() async throws {
        try await withDaemon(plugins: [DaemonProcess.toolsDemoPlugin], arguments: ["--idle-timeout", "0.3"]) { daemon, client in
            var chat = try await ChatSession(daemon: daemon, chatId: "sleepy", agent: "tools-demo")
            // No stream is held open while it waits: an open stream keeps a session in memory.
            try await client.sendMessage(#"/tool transfer {"amount":500}"#, chatId: chat.chatId, token: chat.token)
            try await waitUntil { try await chat.status(secret: daemon.secretKey) == "awaiting-input" }
            try await waitUntilNoLiveSessions(client)
            #expect(try await chat.status(secret: daemon.secretKey) == "awaiting-input")
            let asking = try await chat.nextTurn()
            let request = asking.first("tool-approval-request")
            let messageId = try #require(asking.first("start")?["messageId"]?.stringValue)
            #expect(try await chat.answer(messageId: messageId, parts: [Self.approval(request, approved: true)]).status == 200)
            let continued = try await chat.nextTurn()
            #expect(continued.first("tool-output-available")?["output"]?["reference"] == "tx-savings-500")
        }
    }

    private func waitUntilNoLiveSessions(_ client: AgentHostClient) async throws {
        try await waitUntil {
            let metrics = try await client.send(.GET, "/metrics", token: nil).body
            let live = metrics.split(separator: "\n").first { $0.hasPrefix("agent_host_live_sessions ") }
            return live.flatMap { Double($0.split(separator: " ")[1]).map { Int($0) } } == 0
        }
    }

    @Test func anApprovalGivenAfterARedeployRunsOnTheNewBuild() async throws {
        let daemon = try DaemonProcess.started(plugins: [DaemonProcess.plugin("UpgradeDemoV1")], environment: [:])
        defer { daemon.stop() }
        var chat = try await ChatSession(daemon: daemon, chatId: "redeploy", agent: "upgrade-demo")
        let asking = try await chat.turn("/tool signOff {}")
        let request = asking.first("tool-approval-request")
        let messageId = try #require(asking.first("start")?["messageId"]?.stringValue)
        let before = try await daemon.client.waitForAgents(secret: daemon.secretKey) { $0.activeGeneration(of: "upgrade-demo") != nil }
        let old = before.activeGeneration(of: "upgrade-demo")

        try daemon.deploy(DaemonProcess.plugin("UpgradeDemoV2"))
        _ = try await daemon.client.waitForAgents(secret: daemon.secretKey) { $0.activeGeneration(of: "upgrade-demo") != old }
        let reply = try await chat.answer(messageId: messageId, parts: [Self.approval(request, tool: "signOff", approved: true)])
        #expect(reply.status == 200)
        let continued = try await chat.nextTurn()
        #expect(continued.first("tool-output-available")?["output"] == ["signedBy": "2"])
    }

    @Test func theAgentListShowsEachToolsApprovalAndClientSide() async throws {
        let daemon = try DaemonProcess.started(plugins: [DaemonProcess.toolsDemoPlugin], environment: [:])
        defer { daemon.stop() }
        let agents = try await daemon.client.waitForAgents(secret: daemon.secretKey) { $0.activeGeneration(of: "tools-demo") != nil }
        let tools = agents["agents"]?.arrayValue?.first { $0["id"] == "tools-demo" }?["tools"]?.arrayValue ?? []
        let byName = Dictionary(tools.compactMap { tool in tool["name"]?.stringValue.map { ($0, tool) } }, uniquingKeysWith: { first, _ in first })
        #expect(byName["transfer"]?["needsApproval"] == "when")
        #expect(byName["transfer"]?["inputSchema"]?["required"] == ["amount"])
        #expect(byName["getLocation"]?["clientSide"] == true)
        #expect(byName["calculator"]?["needsApproval"] == nil)
        #expect(byName["calculator"]?["description"]?.stringValue?.isEmpty == false)
    }

    @Test func theAIChatRouteTakesTheWholeMessagesArrayWithTheApproval() async throws {
        try await withDaemon(plugins: [DaemonProcess.toolsDemoPlugin]) { daemon, _ in
            let routes = AIChatRouteTests()
            let url = daemon.baseURL + "/api/chat/tools-demo"
            let ask = #"/tool transfer {"amount":500}"#
            let first = try await routes.request(.POST, url, token: daemon.secretKey,
                                                 body: try AIChatRouteTests.chatBody(id: "ai-approve", texts: [("user", ask)]))
            #expect(first.types == [
                "start", "start-step", "tool-input-start", "tool-input-delta", "tool-input-available", "tool-approval-request",
                "finish-step", "finish",
            ])
            let request = try #require(first.chunks.first { $0["type"] == "tool-approval-request" })
            let messageId = try #require(first.chunks.first?["messageId"])

            // The assistant message as `useChat` holds it after `addToolApprovalResponse`.
            let assistant: JSONValue = ["id": messageId, "role": "assistant", "parts": [
                ["type": "step-start"],
                ["type": "tool-transfer", "toolCallId": request["toolCallId"] ?? .null, "state": "approval-responded",
                 "input": ["amount": 500], "approval": ["id": request["approvalId"] ?? .null, "approved": true]],
            ]]
            let user: JSONValue = ["id": "m0", "role": "user", "parts": [["type": "text", "text": .string(ask)]]]
            let body = try WireCoding.encodeString(
                ["id": "ai-approve", "messages": [user, assistant], "trigger": "submit-message"] as JSONValue
            )
            let second = try await routes.request(.POST, url, token: daemon.secretKey, body: body)
            #expect(second.status == 200)
            #expect(second.types == [
                "start", "tool-output-available", "start-step", "text-start", "text-delta", "text-delta", "text-delta", "text-end",
                "finish-step", "finish",
            ])
            #expect(second.chunks.first?["messageId"] == messageId)
            #expect(second.payloads.last == "[DONE]")

            // The same request again: nothing runs twice; the response only closes the message.
            let again = try await routes.request(.POST, url, token: daemon.secretKey, body: body)
            #expect(again.status == 200)
            #expect(again.types == ["start", "finish"])
            #expect(again.chunks.last?["finishReason"] == "tool-calls")
        }
    }

    @Test func aCPluginMarksToolsInItsManifestAndAnApprovedCToolRunsThroughLibffi() async throws {
        let directory = try CCompiler.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The bundled C plugin, its `add` tool marked as needing approval.
        let source = TestPackage.root.appendingPathComponent("Plugins/CTools")
        let original = try String(contentsOf: source.appendingPathComponent("plugin.c"), encoding: .utf8)
        let marked = original.replacingOccurrences(of: #"{\"name\":\"add\","#, with: #"{\"name\":\"add\",\"needsApproval\":true,"#)
        #expect(marked != original)
        let pluginC = directory.appendingPathComponent("plugin.c")
        try marked.write(to: pluginC, atomically: true, encoding: .utf8)
        let plugin = directory.appendingPathComponent("libCToolsApproval.so")
        try CCompiler.sharedLibrary(
            sources: [pluginC, source.appendingPathComponent("tools.c")],
            includes: [CCompiler.abiInclude, source.appendingPathComponent("include")],
            output: plugin
        )
        let clientSide = try CCompiler.sharedLibrary(
            source: CPluginTests.pluginSource(tool: #""inputSchema":{"type":"object"},"clientSide":true"#),
            named: "libClientSide.so", in: directory
        )
        try await withDaemon(plugins: [plugin, clientSide]) { daemon, client in
            let agents = try await client.waitForAgents(secret: daemon.secretKey) {
                $0.activeGeneration(of: "c-tools") != nil && $0.activeGeneration(of: "probe-agent") != nil
            }
            let tools = { (agent: String) in agents["agents"]?.arrayValue?.first { $0["id"]?.stringValue == agent }?["tools"]?.arrayValue ?? [] }
            #expect(tools("c-tools").first { $0["name"] == "add" }?["needsApproval"] == true)
            #expect(tools("probe-agent").first?["clientSide"] == true)

            var chat = try await ChatSession(daemon: daemon, chatId: "c-approve", agent: "c-tools")
            let asking = try await chat.turn(#"/tool add {"a": 2, "b": 3}"#)
            #expect(asking.finishReason == "tool-calls")
            let request = asking.first("tool-approval-request")
            let messageId = try #require(asking.first("start")?["messageId"]?.stringValue)
            let reply = try await chat.answer(messageId: messageId, parts: [Self.approval(request, tool: "add", approved: true)])
            #expect(reply.status == 200)
            let continued = try await chat.nextTurn()
            #expect(continued.first("tool-output-available")?["output"] == 5)
            #expect(continued.text == "add returned 5")
        }
    }
}

/// What the approval tests do on a chat besides sending messages.
extension ChatSession {
    /// Posts an answer (an assistant message) to `…/in`.
    func answer(messageId: String, parts: [JSONValue]) async throws -> DaemonReply {
        let message: JSONValue = ["id": .string(messageId), "role": "assistant", "parts": .array(parts)]
        let body = try WireCoding.encodeString(["kind": "message", "message": message] as JSONValue)
        return try await client.send(.POST, "/realtime/v1/sessions/\(chatId)/in", token: token, body: body)
    }

    /// The session's status as `GET /api/v1/sessions/{chatId}` shows it.
    func status(secret: String) async throws -> String? {
        try await client.send(.GET, "/api/v1/sessions/\(chatId)", token: secret).json?["status"]?.stringValue
    }
}
