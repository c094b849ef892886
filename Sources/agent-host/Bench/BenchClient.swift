import AgentHost
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// HTTP against a running daemon, sized for thousands of concurrent streams.
struct BenchClient: Sendable {
    let baseURL: String
    let secretKey: String
    let http: HTTPClient

    init(baseURL: String, secretKey: String) {
        self.baseURL = baseURL
        self.secretKey = secretKey
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 4096)
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() async {
        try? await http.shutdown()
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    @discardableResult
    func post(_ path: String, token: String, body: String) async throws -> String {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await http.execute(request, timeout: .seconds(120))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        guard (200..<300).contains(Int(response.status.code)) else { throw Failure(description: "\(path): \(response.status.code) \(text)") }
        return text
    }

    func get(_ path: String) async throws -> String {
        var request = HTTPClientRequest(url: baseURL + path)
        request.headers.add(name: "Authorization", value: "Bearer \(secretKey)")
        let response = try await http.execute(request, timeout: .seconds(60))
        return String(buffer: try await response.body.collect(upTo: 64 << 20))
    }

    /// Creates a session and returns its public token.
    func createSession(_ chatId: String, agent: String) async throws -> String {
        let reply = try await post("/api/v1/sessions", token: secretKey, body: #"{"chatId":"\#(chatId)","agent":"\#(agent)"}"#)
        guard let data = reply.data(using: .utf8),
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let token = object["publicAccessToken"] as? String
        else { throw Failure(description: "no token in \(reply)") }
        return token
    }

    /// Sends a user message and returns its seq.
    func send(_ text: String, chatId: String, token: String) async throws -> Int64 {
        let body = #"{"kind":"message","message":{"id":"\#(UUID().uuidString)","role":"user","parts":[{"type":"text","text":"\#(text)"}]}}"#
        let reply = try await post("/realtime/v1/sessions/\(chatId)/in", token: token, body: body)
        guard let seq = reply.split(separator: ":").last.flatMap({ Int64($0.filter(\.isNumber)) }) else {
            throw Failure(description: "no seq in \(reply)")
        }
        return seq
    }

    /// The daemon's resident memory, from its Prometheus endpoint.
    func residentBytes() async throws -> Int {
        let metrics = try await get("/metrics")
        let line = metrics.split(separator: "\n").first { $0.hasPrefix("process_resident_memory_bytes ") }
        return line.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
    }

    /// An open output stream; `events` yields (seq, chunk type) as they arrive.
    func openStream(chatId: String, token: String) async throws -> AsyncThrowingStream<(Int64, String), any Error> {
        var request = HTTPClientRequest(url: baseURL + "/realtime/v1/sessions/\(chatId)/out")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await http.execute(request, timeout: .hours(1))
        return AsyncThrowingStream { continuation in
            let task = Task {
                var pending = ""
                var id: Int64 = 0
                do {
                    for try await buffer in response.body {
                        pending += String(buffer: buffer)
                        while let newline = pending.firstIndex(of: "\n") {
                            let line = pending[..<newline]
                            if line.hasPrefix("id: ") { id = Int64(line.dropFirst(4)) ?? id }
                            if line.hasPrefix("data: "), let typeRange = line.range(of: #""type":""#) {
                                let type = line[typeRange.upperBound...].prefix { $0 != "\"" }
                                continuation.yield((id, String(type)))
                            }
                            pending.removeSubrange(...newline)
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// Percentiles of a sample, in milliseconds.
struct LatencySummary: CustomStringConvertible {
    let count: Int
    let p50: Double
    let p99: Double
    let max: Double

    init(_ samples: [Duration]) {
        let millis = samples.map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 }.sorted()
        count = millis.count
        func at(_ q: Double) -> Double { millis.isEmpty ? 0 : millis[min(millis.count - 1, Int(Double(millis.count - 1) * q))] }
        p50 = at(0.5)
        p99 = at(0.99)
        max = millis.last ?? 0
    }

    var description: String {
        String(format: "p50 %.2f ms  p99 %.2f ms  max %.2f ms  (n=%d)", p50, p99, max, count)
    }
}
