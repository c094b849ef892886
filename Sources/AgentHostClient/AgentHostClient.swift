import AgentWire
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One client for the daemon's HTTP API, used by `agent-host chat`, `agent-host bench`,
/// the CLI's management commands and the integration tests.
///
/// A client carries one bearer credential: the daemon's secret key (management
/// routes, and every session) or a session-scoped public token. ``using(token:)``
/// gives a copy that sends another one, so a caller that creates sessions with
/// the secret key can talk to each with its own token. Values are cheap to copy
/// and `Sendable`; the `HTTPClient` underneath is shared, never owned.
public struct AgentHostClient: Sendable {
    /// The daemon's base URL, e.g. `http://127.0.0.1:8787`.
    public let baseURL: String
    /// The bearer credential sent with every request; nil sends none.
    public let token: String?
    /// The connection pool; its owner shuts it down.
    public let http: HTTPClient
    /// How long a call other than the output stream may take.
    public let timeout: TimeAmount

    /// - Parameters:
    ///   - baseURL: The daemon's base URL, without a trailing slash.
    ///   - token: The secret key or a session token; nil for unauthenticated calls.
    ///   - http: The HTTP client to send through; the process-wide shared one by default.
    ///   - timeout: How long the daemon may take to answer a call other than the output stream.
    public init(baseURL: String, token: String?, http: HTTPClient = .shared, timeout: TimeAmount = .seconds(30)) {
        self.baseURL = baseURL
        self.token = token
        self.http = http
        self.timeout = timeout
    }

    /// The same client, sending `token` instead.
    /// - Parameters:
    ///   - token: The credential for the copy's requests; nil sends none.
    public func using(token: String?) -> AgentHostClient {
        AgentHostClient(baseURL: baseURL, token: token, http: http, timeout: timeout)
    }

    /// The same client (token, connection pool, timeout) for another daemon,
    /// e.g. a second daemon of one PostgreSQL cluster.
    /// - Parameters:
    ///   - baseURL: That daemon's base URL, without a trailing slash.
    public func using(baseURL: String) -> AgentHostClient {
        AgentHostClient(baseURL: baseURL, token: token, http: http, timeout: timeout)
    }

    /// Sends one request and returns the daemon's reply whatever its status:
    /// for callers that assert on statuses and error bodies. The typed calls
    /// throw ``AgentHostClientError`` for a non-2xx reply instead.
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - path: The path and query, starting with `/`.
    ///   - body: A JSON body; sent with `Content-Type: application/json`.
    ///   - headers: Extra request headers, in order.
    ///   - timeout: How long the daemon may take to answer (its response head); the client's
    ///     ``timeout`` when nil. The body, at most `maximumBytes`, is read after it.
    ///   - maximumBytes: The longest body read; a longer one throws.
    public func request(
        _ method: HTTPMethod, _ path: String, body: String? = nil, headers: [(name: String, value: String)] = [],
        timeout: TimeAmount? = nil, maximumBytes: Int = 64 << 20
    ) async throws -> DaemonReply {
        let request = makeRequest(method, path, body: body, headers: headers)
        let response = try await http.execute(request, timeout: timeout ?? self.timeout)
        let bytes = try await response.body.collect(upTo: maximumBytes)
        return DaemonReply(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    /// Sends one request; returns the reply of a 2xx, throws the daemon's error for anything else.
    func call(
        _ method: HTTPMethod, _ path: String, body: String? = nil, headers: [(name: String, value: String)] = []
    ) async throws -> DaemonReply {
        let reply = try await request(method, path, body: body, headers: headers)
        guard (200..<300).contains(reply.status) else { throw AgentHostClientError(reply: reply) }
        return reply
    }

    func makeRequest(
        _ method: HTTPMethod, _ path: String, body: String? = nil, headers: [(name: String, value: String)] = []
    ) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        return request
    }

    /// `/realtime/v1/sessions/<chatId>/<leaf>`, the chat id percent-encoded as one path segment.
    static func sessionPath(_ chatId: String, _ leaf: String) -> String {
        "/realtime/v1/sessions/\(segment(chatId))/\(leaf)"
    }

    /// `text` as one path segment: a `/` in an id must not open another.
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? text
    }
}
