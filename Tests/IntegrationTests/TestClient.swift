import AgentWire
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A thin HTTP client for the daemon's routes.
struct TestClient {
    let baseURL: String

    struct Reply {
        var status: Int
        var body: String
        var json: JSONValue? { try? WireCoding.decode(JSONValue.self, from: body) }
    }

    func send(_ method: HTTPMethod, _ path: String, token: String?, body: String? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: bytes))
    }

    func createSession(_ chatId: String, agent: String = "my-chat", secret: String) async throws -> (status: Int, token: String) {
        let reply = try await send(.POST, "/api/v1/sessions", token: secret, body: #"{"chatId":"\#(chatId)","agent":"\#(agent)"}"#)
        return (reply.status, reply.json?["publicAccessToken"]?.stringValue ?? "")
    }

    /// Sends one user message; returns its seq.
    @discardableResult
    func sendMessage(_ text: String, chatId: String, token: String, id: String = UUID().uuidString, idempotencyKey: String? = nil) async throws -> Int64 {
        let message = UIMessage.text(text, role: "user", id: id)
        let body = try WireCoding.encodeString(InputBody(kind: "message", message: message))
        let reply = try await send(.POST, "/realtime/v1/sessions/\(chatId)/in", token: token, body: body,
                                   headers: idempotencyKey.map { ["Idempotency-Key": $0] } ?? [:])
        guard reply.status == 200, let seq = reply.json?["seq"]?.doubleValue else {
            throw TestFailure("send failed: \(reply.status) \(reply.body)")
        }
        return Int64(seq)
    }

    struct InputBody: Encodable {
        var kind: String
        var message: UIMessage?
    }

    struct Event: Equatable {
        var id: Int64
        var data: String
        var json: JSONValue { (try? WireCoding.decode(JSONValue.self, from: data)) ?? .null }
        var type: String { json["type"]?.stringValue ?? "" }
    }

    /// Reads the SSE stream until `until` says stop, then drops the connection.
    func readEvents(chatId: String, token: String, lastEventId: Int64? = nil, until: @escaping ([Event]) -> Bool) async throws -> [Event] {
        var request = HTTPClientRequest(url: baseURL + "/realtime/v1/sessions/\(chatId)/out")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let lastEventId { request.headers.add(name: "Last-Event-ID", value: String(lastEventId)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        guard response.status == .ok else { throw TestFailure("stream answered \(response.status)") }
        var events: [Event] = []
        var pending = ""
        for try await buffer in response.body {
            pending += String(buffer: buffer)
            while let range = pending.range(of: "\n\n") {
                let block = String(pending[..<range.lowerBound])
                pending.removeSubrange(..<range.upperBound)
                var id: Int64?
                var data: [String] = []
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("id: ") { id = Int64(line.dropFirst(4)) }
                    if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
                }
                guard let id, !data.isEmpty else { continue }
                events.append(Event(id: id, data: data.joined(separator: "\n")))
                if until(events) { return events }
            }
        }
        return events
    }
}

extension TestClient {
    /// Polls `GET /api/v1/agents` until `condition` holds (or gives up after ~20 s).
    func waitForAgents(secret: String, _ condition: (JSONValue) -> Bool) async throws -> JSONValue {
        var last: JSONValue = .null
        for _ in 0..<200 {
            last = try await send(.GET, "/api/v1/agents", token: secret).json ?? .null
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("agents never reached the expected state: \(last)")
    }
}

extension JSONValue {
    /// The generations listed for `agent` in a `GET /api/v1/agents` reply.
    func generations(of agent: String) -> [JSONValue] {
        self["agents"]?.arrayValue?.first { $0["id"]?.stringValue == agent }?["generations"]?.arrayValue ?? []
    }

    func activeGeneration(of agent: String) -> Int? {
        (self["agents"]?.arrayValue?.first { $0["id"]?.stringValue == agent }?["activeGeneration"]?.doubleValue).map(Int.init)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension [TestClient.Event] {
    func completedTurns() -> Int { filter { $0.type == "data-turn-complete" }.count }

    /// The text of every text-delta, joined.
    var text: String { compactMap { $0.type == "text-delta" ? $0.json["delta"]?.stringValue : nil }.joined() }
}
