import AgentHostClient
import AgentWire
import Foundation
import TestSupport
import Testing

/// The bundled `compact-demo` agent (HooksDemo) offline: the scripted model
/// that counts tokens, a predicate and a summariser in the plugin. A long
/// message compacts after its turn, with the agent's own notes and no summary
/// request to the model; `/history` then shows the model reading the notes,
/// and `/messages` keeps everything.
@Suite struct CompactDemoTests {
    @Test func theDemoCompactsALongChatWithItsOwnNotes() async throws {
        try await withDaemon(
            plugins: [DaemonProcess.plugin("HooksDemo")], environment: ["AGENT_HOST_MODEL": "scripted:counting"]
        ) { daemon, client in
            let token = try await client.createSession("demo", agent: "compact-demo", secret: daemon.secretKey).token
            // 1,600 characters: about 400 input tokens, over the demo's 300.
            let long = "The tide tables for the whole coast: " + String(repeating: "high low ", count: 180)
            let seq = try await client.sendMessage(long, chatId: "demo", token: token)
            let first = try await client.readEvents(chatId: "demo", token: token, lastEventId: seq) { $0.completedTurns() == 1 }
            let compacted = try #require(first.first { $0.type == "data-compacted" }?.json["data"])
            #expect((compacted["tokensBefore"]?.doubleValue ?? 0) > 300)
            #expect((compacted["tokensAfter"]?.doubleValue ?? .infinity) < 100)

            let next = try await client.sendMessage("/history", chatId: "demo", token: token)
            let history = try await client.readEvents(chatId: "demo", token: token, lastEventId: next) { $0.completedTurns() == 1 }
            // The agent's notes (the message cut to 60 characters), then the question: nothing else.
            let notes = "Notes: " + String(long.prefix(60)) + "…"
            #expect(history.text == "I was given: user: Summary of the conversation so far:\n\(notes) | user: /history")
            let messages = try await client.send(.GET, "/realtime/v1/sessions/demo/messages", token: token).json?["messages"]?.arrayValue
            #expect(messages?.count == 4)
        }
    }
}
