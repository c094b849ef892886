import AgentHostClient
import AgentWire
import Foundation
import TestSupport
import Testing

extension SteeringTests {
    /// `debounce` through the real daemon: two messages sent while a turn is
    /// held at the gate are answered by one turn, after the quiet window — the
    /// newest one's; the older leaves the conversation (as `latest`). The
    /// window itself is the lifecycle's (SessionLifecycleConcurrencyTests);
    /// here nothing is timed: the gate decides when the first turn ends.
    @Test func twoQuickMessagesUnderDebounceAreAnsweredByOneTurnTheNewestOnes() async throws {
        let directory = try CCompiler.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withDaemon(plugins: [try Self.plugin(in: directory)]) { daemon, client in
            let chat = try await Self.gated(daemon, client, chatId: "policy-debounce", agent: "c-onestep", directory: directory)
            _ = try await chat.startHeldTurn()
            let mode: JSONValue = ["strategy": "debounce", "debounceMs": 200]
            var seqs: [Int64] = []
            for (id, text) in [("u-first", "first"), ("u-second", "second")] {
                let input: JSONValue = [
                    "kind": "message", "mode": mode,
                    "message": ["id": .string(id), "role": "user", "parts": [["type": "text", "text": .string(text)]]],
                ]
                seqs.append(try await client.using(token: chat.token).send(input, chatId: chat.chatId))
            }
            try chat.open()
            let events = try await chat.events(turns: 2)
            let starts = events.filter { $0.type == "data-turn-start" }.compactMap { $0.json["data"]?["inSeq"]?.doubleValue }
            #expect(starts.count == 2)
            #expect(starts.last == Double(seqs[1]))
            #expect(events.text.hasSuffix("You said: second"))
            let ids = try await chat.messages().compactMap { $0["id"]?.stringValue }.filter { $0.hasPrefix("u-") }
            #expect(ids == ["u-held", "u-second"])
            // Nothing waits any longer: the first message got no turn of its own.
            let info = try await client.send(.GET, "/api/v1/sessions/\(chat.chatId)", token: daemon.secretKey)
            #expect(info.json?["queuedInputs"] == 0)
        }
    }
}
