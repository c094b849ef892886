import AgentWire
import Foundation
import TestSupport
import Testing

/// The walking skeleton end to end: the built binary, the built plugin, HTTP.
@Suite struct SessionFlowTests {
    @Test func twoTurnsThenResumeWithLastEventID() async throws {
        try await withDaemon { daemon, client in
            let created = try await client.createSession("chat-1", secret: daemon.secretKey)
            #expect(created.status == 201)
            let again = try await client.send(.POST, "/api/v1/sessions", token: daemon.secretKey, body: #"{"chatId":"chat-1","agent":"my-chat"}"#)
            #expect(again.status == 200)
            #expect(again.json?["isCached"]?.boolValue == true)
            let token = created.token

            let firstSeq = try await client.sendMessage("hello world", chatId: "chat-1", token: token)
            let firstTurn = try await client.readEvents(chatId: "chat-1", token: token) { $0.completedTurns() == 1 }
            #expect(firstTurn.text == "You said: hello world")
            #expect(firstTurn.map(\.type) == [
                "data-turn-start", "start", "start-step", "text-start",
                "text-delta", "text-delta", "text-delta", "text-delta",
                "text-end", "finish-step", "finish", "data-turn-complete",
            ])
            #expect(firstTurn.last?.json["data"]?["inSeq"]?.doubleValue == Double(firstSeq))
            #expect(firstTurn.last?.json["transient"]?.boolValue == true)
            #expect(firstTurn.first { $0.type == "finish" }?.json == ["type": "finish", "finishReason": "stop"])

            try await client.sendMessage("second turn", chatId: "chat-1", token: token)
            let everything = try await client.readEvents(chatId: "chat-1", token: token) { $0.completedTurns() == 2 }
            #expect(Array(everything.prefix(firstTurn.count)) == firstTurn)
            #expect(everything.text == "You said: hello worldYou said: second turn")
            #expect(zip(everything, everything.dropFirst()).allSatisfy { $0.id < $1.id })

            // Reconnect from the middle of the second turn: exactly the rest, nothing twice.
            let cut = everything[firstTurn.count + 4].id
            let missing = everything.filter { $0.id > cut }
            let lastId = try #require(everything.last?.id)
            let resumed = try await client.readEvents(chatId: "chat-1", token: token, lastEventId: cut) { $0.last?.id == lastId }
            #expect(resumed == missing)

            let history = try await client.send(.GET, "/realtime/v1/sessions/chat-1/messages", token: token)
            let messages = try #require(history.json?["messages"]?.arrayValue)
            #expect(messages.map { $0["role"]?.stringValue } == ["user", "assistant", "user", "assistant"])
            #expect(messages[3]["parts"]?.arrayValue?.last?["text"]?.stringValue == "You said: second turn")
            #expect(history.json?["lastSeq"]?.doubleValue == Double(lastId))
        }
    }

    @Test func messagesSentDuringATurnAreAnsweredInOrder() async throws {
        try await withDaemon { daemon, client in
            let token = try await client.createSession("queue", secret: daemon.secretKey).token

            try await client.sendMessage("/slow 20", chatId: "queue", token: token)
            try await client.sendMessage("one", chatId: "queue", token: token)
            try await client.sendMessage("two", chatId: "queue", token: token)
            let events = try await client.readEvents(chatId: "queue", token: token) { $0.completedTurns() == 3 }

            var turns: [String] = []
            var current: [TestEvent] = []
            for event in events {
                current.append(event)
                if event.type == "data-turn-complete" {
                    turns.append(current.text)
                    current = []
                }
            }
            #expect(turns == [(1...20).map(String.init).joined(separator: " "), "You said: one", "You said: two"])
            // Turns never interleave: each start comes after the previous turn completed.
            #expect(events.filter { $0.type == "start" || $0.type == "data-turn-complete" }.map(\.type)
                == ["start", "data-turn-complete", "start", "data-turn-complete", "start", "data-turn-complete"])

            let history = try await client.send(.GET, "/realtime/v1/sessions/queue/messages", token: token)
            let texts = history.json?["messages"]?.arrayValue?.map { message in
                (message["parts"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
            }
            #expect(texts == ["/slow 20", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20", "one", "You said: one", "two", "You said: two"])

            let info = try await client.send(.GET, "/api/v1/sessions/queue", token: daemon.secretKey)
            #expect(info.json?["status"]?.stringValue == "idle")
        }
    }
}
