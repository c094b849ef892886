import AgentHostClient
import AgentWire
import Foundation
import TestSupport
import Testing

extension ProviderIntegration {
    /// Tools that know their call (`ToolContext`), through the real daemon and
    /// the ToolsDemo plugin, in a worker process and in the daemon's own:
    /// cancellation by stop, preliminary outputs, `toModelOutput`, calls of one
    /// step running at the same time with their outputs in call order.
    @Suite struct ToolContextTests {
        private static func daemon(_ isolation: String) throws -> DaemonProcess {
            let daemon = try DaemonProcess(plugins: [DaemonProcess.toolsDemoPlugin], arguments: ["--isolation", isolation])
            try daemon.start()
            return daemon
        }

        @Test(arguments: ["worker", "in-process"])
        func aToolStoppedByTheUserObservesItsCancellation(isolation: String) async throws {
            let daemon = try Self.daemon(isolation)
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "stop-tool", agent: "tools-demo")
            try await chat.client.sendMessage(#"/tool countdown {"ticks":100000}"#, chatId: chat.chatId, token: chat.token)
            // It runs: its first tick arrived.
            _ = try await chat.client.readEvents(chatId: chat.chatId, token: chat.token) { events in
                events.contains { $0.type == "tool-output-available" && $0.json["preliminary"] == true }
            }
            let stop = try await chat.client.send(.POST, "/realtime/v1/sessions/\(chat.chatId)/in", token: chat.token, body: #"{"kind":"stop"}"#)
            #expect(stop.status == 200)
            let stopped = try await chat.nextTurn()
            #expect(stopped.types.suffix(2) == ["abort", "data-turn-complete"])
            let callId = try #require(stopped.first("tool-input-available")?["toolCallId"]?.stringValue)
            #expect(!stopped.contains { $0.type == "tool-output-available" && $0.json["preliminary"] == nil })

            // The tool saw the cancellation itself (it records the call when its sleep throws).
            var seen: JSONValue?
            try await waitUntil {
                seen = try await chat.turn("/tool cancellations {}").first("tool-output-available")?["output"]
                return seen?.arrayValue?.isEmpty == false
            }
            #expect(seen == [.string(callId)])
            let history = try await chat.history()
            let part = history.first { $0["role"] == "assistant" }?["parts"]?.arrayValue?.first { $0["type"] == "tool-countdown" }
            // The stopped call keeps its last progress, marked preliminary: never a result for the model.
            #expect(part?["preliminary"] == true)
        }

        @Test(arguments: ["worker", "in-process"])
        func aToolStreamsPreliminaryOutputsThenItsFinalOne(isolation: String) async throws {
            let daemon = try Self.daemon(isolation)
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "progress", agent: "tools-demo")
            let events = try await chat.turn(#"/tool research {"topic":"tides","sources":3}"#)
            let callId = try #require(events.first("tool-input-available")?["toolCallId"]?.stringValue)
            let outputs = events.filter { $0.type == "tool-output-available" }.map(\.json)
            let progress: [JSONValue] = (0..<3).map { read in
                [
                    "type": "tool-output-available", "toolCallId": .string(callId), "preliminary": true,
                    "output": ["status": "reading", "read": .number(Double(read)), "total": 3],
                ]
            }
            #expect(Array(outputs.prefix(3)) == progress)
            #expect(outputs.count == 4)
            #expect(outputs.last == ["type": "tool-output-available", "toolCallId": .string(callId), "output": Self.tidesReport])
            // All of it inside the step that called the tool, before its `finish-step`.
            #expect(Array(events.types.prefix(10)) == [
                "data-turn-start", "start", "start-step", "tool-input-start", "tool-input-delta", "tool-input-available",
                "tool-output-available", "tool-output-available", "tool-output-available", "tool-output-available",
            ])
            #expect(events.types[10] == "finish-step")
            let part = try await chat.history().last?["parts"]?.arrayValue?.first { $0["type"] == "tool-research" }
            #expect(part?["state"] == "output-available")
            #expect(part?["output"] == Self.tidesReport)
            #expect(part?["preliminary"] == nil)
        }

        /// What `research` returns for `{"topic":"tides","sources":3}`: what the UI keeps.
        private static let tidesReport: JSONValue = [
            "topic": "tides", "summary": "3 sources agree on tides.",
            "sources": [
                ["title": "tides source 1", "notes": "Notes on tides from source 1."],
                ["title": "tides source 2", "notes": "Notes on tides from source 2."],
                ["title": "tides source 3", "notes": "Notes on tides from source 3."],
            ],
        ]

        @Test(arguments: ["worker", "in-process"])
        func theModelGetsTheCompactFormNowLaterAndAfterARestart(isolation: String) async throws {
            let daemon = try Self.daemon(isolation)
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "compact", agent: "tools-demo")
            let compact = #"{"sourceCount":3,"summary":"3 sources agree on tides."}"#
            let events = try await chat.turn(#"/tool research {"topic":"tides","sources":3}"#)
            // The scripted model echoes the result it was given; the stream has the full one.
            #expect(events.text == "research returned \(compact)")
            #expect(events.filter { $0.type == "tool-output-available" }.last?.json["output"] == Self.tidesReport)

            let later = try await chat.turn("/recall")
            #expect(later.text == "Tool results I was given: research=\(compact)")

            try daemon.crashAndRestart()
            chat.client = daemon.client
            let afterRestart = try await chat.turn("/recall")
            #expect(afterRestart.text == "Tool results I was given: research=\(compact)")
            // The stored message still holds the full output.
            let part = try await chat.history().compactMap { $0["parts"]?.arrayValue }.joined().first { $0["type"] == "tool-research" }
            #expect(part?["output"] == Self.tidesReport)
        }

        @Test(arguments: ["worker", "in-process"])
        func callsOfOneStepRunTogetherAndReportInCallOrder(isolation: String) async throws {
            let daemon = try Self.daemon(isolation)
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "parallel", agent: "tools-demo", clientData: ["plan": "pro"])
            // `a` returns only once `b` has started and finished: run one after the
            // other, `a` would wait for `b` until its timeout. So `b` ends first.
            let events = try await chat.turn(
                #"/tool meet {"name":"a","waitFor":"b","finishAfter":"b"}"# + "\n" + #"/tool meet {"name":"b","waitFor":"a"}"#
            )
            let calls = events.filter { $0.type == "tool-input-available" }.compactMap { $0.json["toolCallId"]?.stringValue }
            #expect(calls.count == 2)
            let outputs = events.filter { $0.type == "tool-output-available" }.map(\.json)
            #expect(outputs.map { $0["toolCallId"]?.stringValue } == calls)
            #expect(outputs.map { $0["output"]?["name"] } == ["a", "b"])
            #expect(outputs.map { $0["output"]?["met"] } == ["b", "a"])
            // Each call knew its own id, its chat and the client's data.
            #expect(outputs.map { $0["output"]?["toolCallId"]?.stringValue } == calls)
            #expect(outputs.allSatisfy { $0["output"]?["chatId"] == "parallel" && $0["output"]?["clientData"] == ["plan": "pro"] })
            #expect(!events.contains { $0.type == "tool-output-error" })

            let parts = try await chat.history().last?["parts"]?.arrayValue?.filter { $0["type"] == "tool-meet" } ?? []
            #expect(parts.map { $0["toolCallId"]?.stringValue } == calls)
            #expect(parts.map { $0["state"] } == ["output-available", "output-available"])
        }
    }

    /// The in-band token refresh (`data-token`, DESIGN §6) on `/out`.
    @Suite struct TokenRefreshTests {
        @Test func aShortLivedTokenGetsAFreshOneOnItsOwnStreamNeverWider() async throws {
            try await withDaemon { daemon, client in
                var chat = try await ChatSession(daemon: daemon, chatId: "refresh")
                let mint = try await client.send(
                    .POST, "/api/v1/tokens", token: daemon.secretKey,
                    body: #"{"scopes":{"read":{"sessions":"refresh"}},"expirationTime":"2m"}"#
                )
                let shortToken = try #require(mint.json?["token"]?.stringValue)
                try await client.sendMessage("hello", chatId: "refresh", token: chat.token)
                let events = try await client.readEvents(chatId: "refresh", token: shortToken) { $0.last?.type == "data-turn-complete" }
                // Right before the turn's end, on this reader's stream.
                #expect(events.types.suffix(3) == ["finish", "data-token", "data-turn-complete"])
                let part = try #require(events.first("data-token"))
                #expect(part["transient"] == true)
                let fresh = try #require(part["data"]?["token"]?.stringValue)
                #expect(fresh != shortToken)
                let claims = try Self.claims(of: fresh)
                // The same lifetime and the reader's own scope for this chat: read only.
                #expect(claims["scopes"] == ["read": ["sessions": ["refresh"]]])
                #expect((claims["exp"]?.doubleValue ?? 0) - (claims["iat"]?.doubleValue ?? 0) == 120)
                #expect(part["data"]?["expiresAt"]?.stringValue?.isEmpty == false)
                let read = try await client.send(.GET, "/realtime/v1/sessions/refresh/messages", token: fresh)
                #expect(read.status == 200)
                let write = try await client.send(.POST, "/realtime/v1/sessions/refresh/in", token: fresh, body: #"{"kind":"stop"}"#)
                #expect(write.status == 403)

                // Not in the log: the session's own token (1 h) and the secret key read no token.
                let long = try await chat.nextTurn()
                #expect(long.last?.type == "data-turn-complete")
                #expect(!long.types.contains("data-token"))
                let bySecret = try await client.readEvents(chatId: "refresh", token: daemon.secretKey) { $0.last?.type == "data-turn-complete" }
                #expect(!bySecret.types.contains("data-token"))
            }
        }

        @Test func theClientTakesTheFreshTokenWhileItFollowsATurn() async throws {
            try await withDaemon { daemon, client in
                let chat = try await ChatSession(daemon: daemon, chatId: "follow-refresh")
                let mint = try await client.send(
                    .POST, "/api/v1/tokens", token: daemon.secretKey,
                    body: #"{"scopes":{"read":{"sessions":"follow-refresh"},"write":{"sessions":"follow-refresh"}},"expirationTime":"5m"}"#
                )
                let shortToken = try #require(mint.json?["token"]?.stringValue)
                let inSeq = try await client.sendMessage("hello there", chatId: chat.chatId, token: chat.token)
                var tokens: [String] = []
                var text = ""
                try await client.using(token: shortToken).follow(turn: inSeq, chatId: chat.chatId, onToken: { tokens.append($0) }) { chunk in
                    if case .textDelta(_, let delta) = chunk { text += delta }
                }
                #expect(text == "You said: hello there")
                #expect(tokens.count == 1)
                let fresh = try #require(tokens.first)
                let next = try await client.sendMessage("again", chatId: chat.chatId, token: fresh)
                #expect(next > inSeq)
            }
        }

        /// The payload of a JWT, unverified (the daemon verified it already).
        private static func claims(of token: String) throws -> JSONValue {
            let parts = token.split(separator: ".")
            guard parts.count == 3 else { throw TestFailure("not a JWT") }
            var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while base64.count % 4 != 0 { base64 += "=" }
            guard let data = Data(base64Encoded: base64) else { throw TestFailure("bad JWT payload") }
            return try WireCoding.decode(JSONValue.self, from: String(decoding: data, as: UTF8.self))
        }
    }
}
