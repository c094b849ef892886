import AgentHostClient
import AgentWire
import Foundation
import TestSupport
import Testing

/// What one client may put into a session (README, "Limits: inputs"): the
/// queue behind a running turn is capped (429) and the client can clear it;
/// inputs have a size limit (413) and turns an output limit (an error part);
/// an `Idempotency-Key` reused with another body is 422; malformed message
/// parts are 400 and not stored.
@Suite struct InputQuotaTests {
    private static func message(_ text: String, id: String = UUID().uuidString) -> String {
        #"{"kind":"message","message":{"id":"\#(id)","role":"user","parts":[{"type":"text","text":"\#(text)"}]}}"#
    }

    private static func code(_ reply: DaemonReply) -> String? {
        reply.json?["error"]?["code"]?.stringValue
    }

    @Test func theQueueIsCappedAndClearQueueEmptiesIt() async throws {
        try await withDaemon(environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "50"], arguments: ["--max-queued-inputs", "3"]) { daemon, client in
            let token = try await client.createSession("queued", secret: daemon.secretKey).token
            let path = "/realtime/v1/sessions/queued/in"
            // A turn that runs for ~17 min, until the test stops it: everything after it waits,
            // however slow a loaded machine makes the requests below.
            try await client.sendMessage("/slow 20000", chatId: "queued", token: token)
            for index in 1...3 {
                let reply = try await client.send(.POST, path, token: token, body: Self.message("waiting \(index)"))
                #expect(reply.status == 200, "\(reply.body)")
            }
            let refused = try await client.send(.POST, path, token: token, body: Self.message("one too many"))
            #expect(refused.status == 429)
            #expect(Self.code(refused) == "queue_full")
            let info = try await client.send(.GET, "/api/v1/sessions/queued", token: daemon.secretKey)
            #expect(info.json?["queuedInputs"] == 3)

            // `clearQueue` posts `{"kind":"clear-queue"}` and reads the `cleared` seqs from the reply.
            let cleared = try await client.using(token: token).clearQueue(chatId: "queued")
            #expect(cleared.count == 3)
            let after = try await client.send(.GET, "/api/v1/sessions/queued", token: daemon.secretKey)
            #expect(after.json?["queuedInputs"] == 0)
            // Room again; then the running turn is stopped, and only the new message gets a turn.
            let again = try await client.send(.POST, path, token: token, body: Self.message("after the clear"))
            #expect(again.status == 200)
            _ = try await client.using(token: token).stop(chatId: "queued")
            _ = try await client.readEvents(chatId: "queued", token: token) { $0.completedTurns() == 2 }
            let messages = try await client.send(.GET, "/realtime/v1/sessions/queued/messages", token: token)
            let texts = (messages.json?["messages"]?.arrayValue ?? []).flatMap { $0["parts"]?.arrayValue ?? [] }
                .compactMap { $0["text"]?.stringValue }
            #expect(texts.contains("You said: after the clear"))
            #expect(!texts.contains { $0.contains("waiting") }, "a cleared input got a turn: \(texts)")
        }
    }

    @Test func aTurnPastItsChunkLimitEndsWithAnError() async throws {
        try await withDaemon(environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "0"], arguments: ["--max-turn-chunks", "50"]) { daemon, client in
            let token = try await client.createSession("chatty", secret: daemon.secretKey).token
            try await client.sendMessage("/slow 5000", chatId: "chatty", token: token)
            let events = try await client.readEvents(chatId: "chatty", token: token) { $0.last?.type == "data-turn-complete" }
            let error = try #require(events.first { $0.type == "error" })
            #expect(error.json["errorText"]?.stringValue?.contains("--max-turn-chunks") == true)
            #expect(events.filter { $0.type == "text-delta" }.count < 50)
            #expect(events.contains { $0.type == "finish" })
            // The session takes the next message.
            try await client.sendMessage("hello", chatId: "chatty", token: token)
            let next = try await client.readEvents(chatId: "chatty", token: token) { $0.completedTurns() == 2 }
            #expect(next.text.hasSuffix("You said: hello"))
        }
    }

    @Test func aLongMessageIsRefusedAndAnEchoStaysSmall() async throws {
        try await withDaemon(environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "0"], arguments: ["--max-input-size", "64"]) { daemon, client in
            let token = try await client.createSession("long", secret: daemon.secretKey).token
            let path = "/realtime/v1/sessions/long/in"
            let tooLong = try await client.send(.POST, path, token: token, body: Self.message(String(repeating: "a ", count: 40_000)))
            #expect(tooLong.status == 413)
            #expect(Self.code(tooLong) == "input_too_large")
            // Just under the limit, 30,000 one-letter words: echoed in a bounded number of records.
            let accepted = try await client.send(.POST, path, token: token, body: Self.message(String(repeating: "a ", count: 30_000)))
            #expect(accepted.status == 200)
            let events = try await client.readEvents(chatId: "long", token: token) { $0.last?.type == "data-turn-complete" }
            #expect(events.count < 1100, "one message made \(events.count) records")
        }
    }

    @Test func aReusedIdempotencyKeyWithAnotherBodyIs422() async throws {
        try await withDaemon { daemon, client in
            let token = try await client.createSession("keys", secret: daemon.secretKey).token
            let path = "/realtime/v1/sessions/keys/in"
            let body = Self.message("first", id: "m-first")
            let first = try await client.send(.POST, path, token: token, body: body, headers: ["Idempotency-Key": "k1"])
            let retry = try await client.send(.POST, path, token: token, body: body, headers: ["Idempotency-Key": "k1"])
            #expect(first.status == 200 && retry.status == 200)
            #expect(first.json?["seq"] == retry.json?["seq"])
            let other = try await client.send(
                .POST, path, token: token, body: Self.message("second", id: "m-second"), headers: ["Idempotency-Key": "k1"]
            )
            #expect(other.status == 422)
            #expect(Self.code(other) == "idempotency_key_reused")
            // After a restart the first body comes from storage, not memory: the same answers.
            try daemon.crashAndRestart()
            let restarted = daemon.client
            let stored = try await restarted.send(.POST, path, token: token, body: body, headers: ["Idempotency-Key": "k1"])
            #expect(stored.json?["seq"] == first.json?["seq"])
            let storedOther = try await restarted.send(
                .POST, path, token: token, body: Self.message("second", id: "m-second"), headers: ["Idempotency-Key": "k1"]
            )
            #expect(storedOther.status == 422)
        }
    }

    @Test func malformedPartsAreRefusedAndNotStored() async throws {
        try await withDaemon { daemon, client in
            let token = try await client.createSession("parts", secret: daemon.secretKey).token
            let path = "/realtime/v1/sessions/parts/in"
            let bad = [
                #"[{"type":"bogus","text":"x"}]"#,
                #"[{"type":"text"}]"#,
                #"["just a string"]"#,
                #"[{"type":"file","url":"data:,x"}]"#,
                #"[{"type":"tool-weather","state":"input-available","input":{}}]"#,
                #"[{"type":"tool-weather","toolCallId":"c1","state":"sleeping"}]"#,
                #"[]"#,
            ]
            for parts in bad {
                let body = #"{"kind":"message","message":{"id":"\#(UUID().uuidString)","role":"user","parts":\#(parts)}}"#
                let reply = try await client.send(.POST, path, token: token, body: body)
                #expect(reply.status == 400, "parts \(parts) were taken: \(reply.body)")
                #expect(Self.code(reply) == "bad_request")
            }
            let chat = try await client.send(.POST, "/api/chat/my-chat", token: token, body:
                #"{"id":"parts","messages":[{"id":"m1","role":"user","parts":[{"type":"bogus"}]}]}"#)
            #expect(chat.status == 400)
            let messages = try await client.send(.GET, "/realtime/v1/sessions/parts/messages", token: token)
            #expect(messages.json?["lastSeq"]?.doubleValue == 0)
            // Well-formed parts of every kind a user message may carry are taken.
            let good = #"[{"type":"text","text":"hi"},{"type":"file","mediaType":"text/plain","url":"data:,x"},{"type":"data-note","data":{}},{"type":"step-start"}]"#
            let body = #"{"kind":"message","message":{"id":"m-good","role":"user","parts":\#(good)}}"#
            #expect(try await client.send(.POST, path, token: token, body: body).status == 200)
        }
    }
}
