import AgentHostClient
import AgentWire
import Foundation
import TestSupport
import Testing

/// The typed client against the real daemon: what `agent-host chat`, the bench and apps call.
@Suite struct AgentHostClientTests {
    @Test func createSendFollowAndReadBack() async throws {
        try await withDaemon { daemon, client in
            let created = try await client.createSession("typed", agent: "my-chat")
            #expect(created.chatId == "typed" && created.agent == "my-chat" && !created.isCached)
            #expect(try await client.createSession("typed", agent: "my-chat").isCached)

            // The session's own token is enough for its input, output and history.
            let session = client.using(token: created.publicAccessToken)
            let inSeq = try await session.send(message: .text("hello", role: "user", id: "u1"), chatId: "typed", trigger: "submit-message")
            var chunks: [UIChunk] = []
            try await session.follow(turn: inSeq, chatId: "typed") { chunks.append($0) }
            let text = chunks.compactMap { chunk -> String? in
                if case .textDelta(_, let delta) = chunk { return delta }
                return nil
            }.joined()
            #expect(text == "You said: hello")
            guard case .start = chunks.first else {
                Issue.record("the turn does not open with `start`: \(chunks)")
                return
            }
            #expect(chunks.last == .finish(finishReason: .stop))
            #expect(chunks.allSatisfy { $0.control == nil })

            let history = try await session.history("typed")
            #expect(history.map(\.role) == ["user", "assistant"])
            #expect(history.last?.text == "You said: hello")
            #expect(try await session.activeTurn("typed") == nil)

            // The stream from the start: the input's turn, framed by its control parts, seqs rising.
            var events: [StreamEvent] = []
            for try await event in try await session.output("typed") {
                events.append(event)
                if event.control == .turnComplete(inSeq: inSeq) { break }
            }
            #expect(events.first?.control == .turnStart(inSeq: inSeq))
            #expect(zip(events, events.dropFirst()).allSatisfy { $0.id < $1.id })
            #expect(events.allSatisfy { $0.id > inSeq })

            #expect(try await client.sessionInfo("typed").json?["status"]?.stringValue == "idle")
            let listed = try await client.listSessions(agent: "my-chat").json?["data"]?.arrayValue ?? []
            #expect(listed.map { $0["chatId"]?.stringValue } == ["typed"])
            #expect(try await client.agents().json?.activeGeneration(of: "my-chat") == 1)
        }
    }

    @Test func refusalsCarryTheDaemonsErrorAndMintedTokensAreScoped() async throws {
        try await withDaemon { daemon, client in
            _ = try await client.createSession("scoped", agent: "my-chat")
            let readOnly = client.using(token: try await client.mintToken(read: ["scoped"], expirationTime: "15m"))
            #expect(try await readOnly.history("scoped").isEmpty)
            let refused = await #expect(throws: AgentHostClientError.self) {
                try await readOnly.send(message: .text("hi", role: "user", id: "u1"), chatId: "scoped")
            }
            #expect(refused?.status == 403)
            #expect(refused?.code == "forbidden")
            #expect(refused?.isRefusal == true)

            let unknown = await #expect(throws: AgentHostClientError.self) {
                try await client.createSession("nobody", agent: "no-such-agent")
            }
            #expect(unknown?.status == 404)
            #expect(unknown?.message.isEmpty == false)

            let noKey = await #expect(throws: AgentHostClientError.self) { try await client.using(token: nil).agents() }
            #expect(noKey?.code == "unauthorized")
            // A refusal ends following a turn at once: retrying cannot help.
            await #expect(throws: AgentHostClientError.self) {
                try await readOnly.using(token: "garbage").follow(turn: 1, chatId: "scoped") { _ in }
            }
        }
    }
}
