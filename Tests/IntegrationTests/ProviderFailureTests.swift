import AgentWire
import Foundation
import TestSupport
import Testing

extension ProviderIntegration {
    /// Every way a provider fails ends the turn with one clear `error` chunk,
    /// failures before the first token are retried (bounded), and the daemon
    /// keeps serving the next turn.
    @Suite struct ProviderFailureTests {
        static let rateLimited = #"{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}"#
        static let overloaded = #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#

        /// The chunk sequence of a turn whose model call failed inside a step.
        static let failedTurn = ["data-turn-start", "start", "start-step", "error", "finish-step", "finish", "data-turn-complete"]

        private static func run(
            _ replies: [FakeProviderServer.Reply], extra: [String: String] = [:], then: (inout ChatSession, FakeProviderServer) async throws -> Void
        ) async throws {
            let fake = try await FakeProviderServer.start(replies)
            defer { fake.stop() }
            let daemon = try DaemonProcess.started(environment: ProviderEnvironment.anthropic(fake, extra: extra))
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "failures")
            try await then(&chat, fake)
        }

        @Test func aRateLimitIsRetriedAfterRetryAfter() async throws {
            try await Self.run([
                .status(429, headers: ["retry-after": "0"], body: Self.rateLimited),
                .stream(Wire.anthropicText(["Made it."])),
            ]) { chat, fake in
                let events = try await chat.turn("hi")
                #expect(events.text == "Made it.")
                #expect(events.errorText == nil)
                #expect(fake.requests.count == 2)
                #expect(fake.requests[0].body == fake.requests[1].body)
            }
        }

        @Test func serverErrorsAreRetriedThenTheTurnFailsAndTheDaemonKeepsServing() async throws {
            try await Self.run([
                .status(529, body: Self.overloaded),
                .status(500, body: #"{"type":"error","error":{"type":"api_error","message":"Internal server error"}}"#),
                .status(503, body: "<html>upstream unavailable</html>", contentType: "text/html"),
            ]) { chat, fake in
                let events = try await chat.turn("hi")
                #expect(events.types == Self.failedTurn)
                #expect(events.errorText == "Anthropic API error (HTTP 503): Service Unavailable: <html>upstream unavailable</html> (gave up after 3 attempts)")
                #expect(events.finishReason == "error")
                #expect(fake.requests.count == 3)

                fake.enqueue([.stream(Wire.anthropicText(["Back again."]))])
                let next = try await chat.turn("still there?")
                #expect(next.text == "Back again.")
                #expect(next.finishReason == "stop")
            }
        }

        @Test func aClientErrorIsNotRetried() async throws {
            try await Self.run([
                .status(401, body: #"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#),
            ]) { chat, fake in
                let events = try await chat.turn("hi")
                #expect(events.types == Self.failedTurn)
                #expect(events.errorText == "Anthropic API error (HTTP 401): authentication_error: invalid x-api-key")
                #expect(fake.requests.count == 1)
            }
        }

        @Test func aRetryAfterLongerThanTheDaemonWaitsFailsAtOnce() async throws {
            try await Self.run([.status(429, headers: ["retry-after": "3600"], body: Self.rateLimited)]) { chat, fake in
                let events = try await chat.turn("hi")
                let error = try #require(events.errorText)
                #expect(error.hasPrefix("Anthropic API error (HTTP 429): rate_limit_error: Number of request tokens"))
                #expect(error.contains("asked to retry after 3600"))
                #expect(fake.requests.count == 1)
            }
        }

        @Test func anOverloadedErrorEventBeforeAnyTokenIsRetried() async throws {
            try await Self.run([
                .stream([
                    Wire.anthropic("message_start", #"{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"model":"claude-test","usage":{"input_tokens":3,"output_tokens":0}}}"#),
                    Wire.anthropic("error", Self.overloaded),
                ]),
                .stream(Wire.anthropicText(["Second time lucky."])),
            ]) { chat, fake in
                let events = try await chat.turn("hi")
                #expect(events.text == "Second time lucky.")
                #expect(fake.requests.count == 2)
            }
        }

        @Test func anErrorEventAfterTokensEndsTheTurnWithoutARetry() async throws {
            try await Self.run([
                .stream(Array(Wire.anthropicText(["Partial answer"]).prefix(4)) + [Wire.anthropic("error", Self.overloaded)]),
            ]) { chat, fake in
                let events = try await chat.turn("hi")
                #expect(events.types == [
                    "data-turn-start", "start", "start-step", "text-start", "text-delta", "text-end",
                    "error", "finish-step", "finish", "data-turn-complete",
                ])
                #expect(events.text == "Partial answer")
                #expect(events.errorText == "Anthropic stream error (overloaded_error): Overloaded")
                #expect(fake.requests.count == 1)
                // The partial answer stays in the history, its text part closed.
                let history = try await chat.history()
                #expect(history.last?["parts"]?.arrayValue?.last == ["type": "text", "text": "Partial answer", "state": "done"])
            }
        }

        @Test func aMalformedEventEndsTheTurn() async throws {
            try await Self.run([
                .stream([
                    Wire.anthropic("message_start", #"{"type":"message_start","message":{"usage":{"input_tokens":3,"output_tokens":0}}}"#),
                    "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_bl\n\n",
                ]),
            ]) { chat, fake in
                let events = try await chat.turn("hi")
                #expect(events.types == Self.failedTurn)
                let error = try #require(events.errorText)
                #expect(error.hasPrefix("Anthropic sent a malformed event: "))
                #expect(fake.requests.count == 1)
            }
        }

        @Test func aConnectionDroppedMidStreamEndsTheTurnWithTheTextSoFar() async throws {
            try await Self.run([.hold(Array(Wire.anthropicText(["Half", " an"]).prefix(5)))]) { chat, fake in
                try await chat.client.sendMessage("hi", chatId: chat.chatId, token: chat.token)
                // Drop the provider's connection once the text is through to the client.
                _ = try await chat.client.readEvents(chatId: chat.chatId, token: chat.token) { $0.text == "Half an" }
                fake.dropHeldConnections()
                let events = try await chat.client.readEvents(chatId: chat.chatId, token: chat.token) { $0.completedTurns() == 1 }
                #expect(events.types == [
                    "data-turn-start", "start", "start-step", "text-start", "text-delta", "text-delta", "text-end",
                    "error", "finish-step", "finish", "data-turn-complete",
                ])
                #expect(events.text == "Half an")
                let error = try #require(events.errorText)
                #expect(error.hasPrefix("Anthropic stream ended early: "))
                #expect(fake.requests.count == 1)
            }
        }

        @Test func aConnectionDroppedBeforeAnyTokenIsRetried() async throws {
            try await Self.run([.dropAfter([]), .stream(Wire.anthropicText(["Recovered."]))]) { chat, fake in
                let events = try await chat.turn("hi")
                #expect(events.text == "Recovered.")
                #expect(fake.requests.count == 2)
            }
        }

        @Test func anUnreachableProviderIsAClearError() async throws {
            let environment = [
                "AGENT_HOST_MODEL": "anthropic:claude-test", "ANTHROPIC_API_KEY": "sk-ant-test-key",
                "ANTHROPIC_BASE_URL": "http://127.0.0.1:1", "AGENT_HOST_MODEL_MAX_ATTEMPTS": "2", "AGENT_HOST_MODEL_RETRY_BASE_MS": "1",
            ]
            let daemon = try DaemonProcess.started(environment: environment)
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "unreachable")
            let events = try await chat.turn("hi")
            #expect(events.types == Self.failedTurn)
            let error = try #require(events.errorText)
            #expect(error.hasPrefix("Anthropic request failed: cannot reach http://127.0.0.1:1/v1/messages"))
            #expect(error.hasSuffix("(gave up after 2 attempts)"))
        }

        @Test func aMissingKeyFailsTheTurnAndTheDaemonKeepsServing() async throws {
            let daemon = try DaemonProcess.started(environment: ["AGENT_HOST_MODEL": "anthropic:claude-test", "ANTHROPIC_API_KEY": ""])
            defer { daemon.stop() }
            var chat = try await ChatSession(daemon: daemon, chatId: "no-key")
            for text in ["hi", "again"] {
                let events = try await chat.turn(text)
                // The model could not even be resolved: no step was started.
                #expect(events.types == ["data-turn-start", "start", "error", "finish", "data-turn-complete"])
                #expect(events.errorText == "model `anthropic:claude-test` is not available: ANTHROPIC_API_KEY is not set in the daemon's environment")
            }
            let health = try await chat.client.send(.GET, "/healthz", token: nil)
            #expect(health.status == 200)
        }
    }

    /// Stopping a turn while the provider is still streaming.
    @Suite struct ProviderStopTests {
        @Test func stopAbortsTheTurnAndClosesTheProviderRequest() async throws {
            let fake = try await FakeProviderServer.start([.hold(Array(Wire.anthropicText(["Thinking", " slowly"]).prefix(5)))])
            defer { fake.stop() }
            let daemon = try DaemonProcess.started(environment: ProviderEnvironment.anthropic(fake))
            defer { daemon.stop() }
            let chat = try await ChatSession(daemon: daemon, chatId: "stop")
            try await chat.client.sendMessage("hi", chatId: chat.chatId, token: chat.token)
            let streaming = try await chat.client.readEvents(chatId: chat.chatId, token: chat.token) { $0.text == "Thinking slowly" }
            let stop = try await chat.client.send(.POST, "/realtime/v1/sessions/\(chat.chatId)/in", token: chat.token, body: #"{"kind":"stop"}"#)
            #expect(stop.status == 200)
            let rest = try await chat.client.readEvents(chatId: chat.chatId, token: chat.token, lastEventId: streaming.last?.id) {
                $0.last?.type == "data-turn-complete"
            }
            #expect(rest.types == ["abort", "data-turn-complete"])
            #expect(fake.requests.count == 1)
            // The provider sees its connection closed: no tokens are paid for after a stop.
            for _ in 0..<500 where fake.clientDisconnects == 0 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(fake.clientDisconnects == 1)
        }
    }
}
