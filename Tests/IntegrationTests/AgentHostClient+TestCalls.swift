import AgentHostClient
import AgentWire
import Foundation
import NIOHTTP1
import TestSupport

/// The integration tests' calls on top of `AgentHostClient`: raw replies for
/// tests that assert on statuses and error bodies, and each call naming the
/// credential it sends, since one test speaks as the secret key, a session's
/// token and nobody in turn.
extension AgentHostClient {
    func send(_ method: HTTPMethod, _ path: String, token: String?, body: String? = nil, headers: [String: String] = [:]) async throws -> DaemonReply {
        try await using(token: token).request(method, path, body: body, headers: headers.map { (name: $0.key, value: $0.value) })
    }

    /// The response headers of a request (the body is read and dropped).
    func headers(_ method: HTTPMethod, _ path: String, token: String?, headers: [String: String]) async throws -> HTTPHeaders {
        try await send(method, path, token: token, headers: headers).headers
    }

    /// Creates (or gets) a session; a refusal comes back as its status and no token.
    func createSession(_ chatId: String, agent: String = "my-chat", secret: String) async throws -> (status: Int, token: String) {
        do {
            let created = try await using(token: secret).createSession(chatId, agent: agent)
            return (created.isCached ? 200 : 201, created.publicAccessToken)
        } catch let error as AgentHostClientError {
            return (error.status, "")
        }
    }

    /// Sends one user message; returns its seq.
    @discardableResult
    func sendMessage(_ text: String, chatId: String, token: String, id: String = UUID().uuidString, idempotencyKey: String? = nil) async throws -> Int64 {
        try await using(token: token).send(message: .text(text, role: "user", id: id), chatId: chatId, idempotencyKey: idempotencyKey)
    }

    /// The texts of the session's history (`GET …/messages`), one per message.
    func historyTexts(chatId: String, token: String) async throws -> [String] {
        let history = try await send(.GET, "/realtime/v1/sessions/\(chatId)/messages", token: token)
        return history.json?["messages"]?.arrayValue?.map { message in
            (message["parts"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
        } ?? []
    }

    /// Reads the SSE stream until `until` says stop, then drops the connection.
    /// A stream that stays open without ever satisfying `until` (keep-alives
    /// only: the client's deadline does not end a body that keeps arriving)
    /// fails the test after two minutes instead of hanging the suite.
    func readEvents(chatId: String, token: String, lastEventId: Int64? = nil, until: @escaping ([TestEvent]) -> Bool) async throws -> [TestEvent] {
        let reader = using(token: token)
        // Only the reading task calls `until`, while this one waits for it: never at the same time.
        nonisolated(unsafe) let until = until
        return try await withThrowingTaskGroup(of: [TestEvent].self) { group in
            group.addTask {
                var events: [TestEvent] = []
                for try await event in try await reader.output(chatId, after: lastEventId, timeout: .seconds(60)) {
                    events.append(TestEvent(id: event.id, data: event.data))
                    if until(events) { return events }
                }
                return events
            }
            group.addTask {
                try await Task.sleep(for: .seconds(120))
                throw TestFailure("the stream of `\(chatId)` never showed what the test waits for within 120 s")
            }
            defer { group.cancelAll() }
            return try await group.next() ?? []
        }
    }

    /// Polls `GET /api/v1/agents` until `condition` holds (or gives up after ~60 s:
    /// a build loads in a worker process, which a loaded CI machine may start slowly).
    func waitForAgents(secret: String, _ condition: (JSONValue) -> Bool) async throws -> JSONValue {
        var last: JSONValue = .null
        for _ in 0..<600 {
            last = try await send(.GET, "/api/v1/agents", token: secret).json ?? .null
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("agents never reached the expected state: \(last)")
    }
}

/// One record of a session's stream, read loosely: tests compare whole events and chunk types.
struct TestEvent: Equatable {
    var id: Int64
    var data: String
    var json: JSONValue { (try? WireCoding.decode(JSONValue.self, from: data)) ?? .null }
    var type: String { json["type"]?.stringValue ?? "" }
}

extension JSONValue {
    /// The generations listed for `agent` in a `GET /api/v1/agents` reply.
    func generations(of agent: String) -> [JSONValue] {
        self["agents"]?.arrayValue?.first { $0["id"]?.stringValue == agent }?["generations"]?.arrayValue ?? []
    }

    /// The content hash of `agent`'s active generation.
    func activeSha256(of agent: String) -> String? {
        generations(of: agent).first { $0["state"]?.stringValue == "active" }?["sha256"]?.stringValue
    }

    func activeGeneration(of agent: String) -> Int? {
        (self["agents"]?.arrayValue?.first { $0["id"]?.stringValue == agent }?["activeGeneration"]?.doubleValue).map(Int.init)
    }
}

extension [TestEvent] {
    func completedTurns() -> Int { filter { $0.type == "data-turn-complete" }.count }

    /// Each record once, in log order: seqs strictly increase. (Not dense: the
    /// inputs and a turn's private records, e.g. its per-step timeline entry,
    /// take seqs and are not streamed; storage tests check the log's density.)
    var seqsIncrease: Bool { zip(self, dropFirst()).allSatisfy { $0.id < $1.id } }

    /// The text of every text-delta, joined.
    var text: String { compactMap { $0.type == "text-delta" ? $0.json["delta"]?.stringValue : nil }.joined() }
}
