import AgentWire
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The terminal client's line to the daemon: it holds the secret key (it runs
/// on the daemon's machine, like `agent-host token`), so it needs no token
/// refresh. Output is read from the session's stream after an input's seq, and
/// a dropped connection is resumed with `Last-Event-ID`, so nothing is missed
/// or printed twice.
struct ChatConnection: Sendable {
    let baseURL: String
    let secretKey: String
    let chatId: String

    struct Failure: Error, CustomStringConvertible {
        let status: Int
        let description: String
    }

    /// Create-or-get the session; returns its status.
    func open(agent: String) async throws -> String {
        let body = try WireCoding.encodeString(["chatId": chatId, "agent": agent])
        let reply = try await call(.POST, "/api/v1/sessions", body: body)
        return reply["status"]?.stringValue ?? "idle"
    }

    /// Sends one input record; returns its seq.
    func send(_ input: JSONValue) async throws -> Int64 {
        let reply = try await call(.POST, path("in"), body: try WireCoding.encodeString(input),
                                   headers: ["Idempotency-Key": UUID().uuidString])
        guard let seq = reply["seq"]?.doubleValue else { throw Failure(status: 0, description: "the daemon sent no seq") }
        return Int64(seq)
    }

    func history() async throws -> [UIMessage] {
        let reply = try await call(.GET, path("messages"))
        let data = try WireCoding.encode(reply["messages"] ?? [])
        return try WireCoding.decode([UIMessage].self, from: data)
    }

    /// The input seq of the turn running (or queued next), if any.
    func activeTurn() async throws -> Int64? {
        try await call(.GET, path("turn"))["inSeq"]?.doubleValue.map { Int64($0) }
    }

    /// Calls `onChunk` with every chunk of the turn answering `inSeq`, in order,
    /// until its `data-turn-complete`. Reconnects after a dropped connection.
    func follow(turn inSeq: Int64, onReconnect: @Sendable (Int64) -> Void, onChunk: (JSONValue) -> Void) async throws {
        var lastEventId = inSeq
        var started = false
        var failures = 0
        while true {
            do {
                var request = HTTPClientRequest(url: baseURL + path("out"))
                request.headers.add(name: "Authorization", value: "Bearer \(secretKey)")
                request.headers.add(name: "Last-Event-ID", value: String(lastEventId))
                let response = try await HTTPClient.shared.execute(request, timeout: .hours(1))
                guard response.status == .ok else {
                    let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
                    throw Failure(status: Int(response.status.code), description: Self.message(from: text, status: response.status))
                }
                var parser = SSEParser()
                for try await buffer in response.body {
                    for event in parser.feed(buffer.readableBytesView) {
                        failures = 0
                        if let id = event.id.flatMap({ Int64($0) }) { lastEventId = id }
                        guard let chunk = try? WireCoding.decode(JSONValue.self, from: event.data) else { continue }
                        switch UIChunk(json: chunk)?.control {
                        case .turnStart(inSeq):
                            started = true
                        case .turnComplete(inSeq) where started:
                            return
                        case .turnStart, .turnComplete:
                            continue
                        default:
                            if started { onChunk(chunk) }
                        }
                    }
                }
                // A clean end: the session was closed.
                return
            } catch let failure as Failure where failure.status >= 400 && failure.status < 500 {
                throw failure
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failures += 1
                guard failures <= 30 else { throw error }
                onReconnect(lastEventId)
                try await Task.sleep(for: .milliseconds(min(4000, 250 << min(failures - 1, 4))))
            }
        }
    }

    private func path(_ leaf: String) -> String {
        let id = chatId.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? chatId
        return "/realtime/v1/sessions/\(id)/\(leaf)"
    }

    private func call(_ method: HTTPMethod, _ path: String, body: String? = nil, headers: [String: String] = [:]) async throws -> JSONValue {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(secretKey)")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 16 << 20))
        guard (200..<300).contains(response.status.code) else {
            throw Failure(status: Int(response.status.code), description: Self.message(from: text, status: response.status))
        }
        return (try? WireCoding.decode(JSONValue.self, from: text)) ?? .null
    }

    /// The daemon's `{"error":{"message"}}`, else the status line.
    private static func message(from body: String, status: HTTPResponseStatus) -> String {
        let json = try? WireCoding.decode(JSONValue.self, from: body)
        return json?["error"]?["message"]?.stringValue ?? "\(status.code) \(status.reasonPhrase)"
    }
}
