import AgentWire
import AsyncHTTPClient
import NIOCore

/// The daemon's session change feed (`GET /api/v1/session-events`), open: one
/// ``ServerSentEvent`` per change, its `id` the event's cursor and its `data`
/// a `{"type":"session","changes":[…],"session":{…}}` object (the session as
/// the list shows it) or `{"type":"reset"}` (list the sessions, then apply what
/// follows). Ends only when the daemon ends it or the reader stops.
public struct SessionChanges: AsyncSequence, Sendable {
    public typealias Element = ServerSentEvent

    let body: HTTPClientResponse.Body

    /// Starts reading; iterate once; dropping the iterator drops the connection.
    public func makeAsyncIterator() -> Iterator {
        Iterator(body: body.makeAsyncIterator())
    }

    /// Reads events in order; not shared between tasks.
    public struct Iterator: AsyncIteratorProtocol {
        var body: HTTPClientResponse.Body.AsyncIterator
        var parser = ServerSentEventParser()
        var pending: [ServerSentEvent] = []

        /// The next event; nil when the daemon ended the feed.
        public mutating func next() async throws -> ServerSentEvent? {
            while pending.isEmpty {
                guard let buffer = try await body.next() else { return nil }
                pending = try parser.feed(buffer.readableBytesView)
            }
            return pending.removeFirst()
        }
    }
}

extension AgentHostClient {
    /// Opens the session change feed (secret key).
    /// - Parameters:
    ///   - cursor: The last event id seen, or a list's `feedCursor`: the feed
    ///     resumes after it. Nil (or a cursor the daemon no longer holds) starts with a `reset`.
    ///   - timeout: How long the daemon may take to answer and the feed may stay open.
    public func sessionChanges(after cursor: String? = nil, timeout: TimeAmount = .hours(1)) async throws -> SessionChanges {
        let headers = cursor.map { [(name: "Last-Event-ID", value: $0)] } ?? []
        let response = try await http.execute(makeRequest(.GET, "/api/v1/session-events", headers: headers), timeout: timeout)
        guard response.status == .ok else {
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            throw AgentHostClientError(reply: DaemonReply(status: Int(response.status.code), headers: response.headers, body: text))
        }
        return SessionChanges(body: response.body)
    }

    /// The session's latest turns as a timeline (`GET …/timeline`): steps,
    /// models, builds, tokens, tool calls with durations, upgrades, interruptions.
    /// - Parameters:
    ///   - chatId: The session's id.
    ///   - limit: How many of the latest turns (1 to 200); the daemon's default when nil.
    public func timeline(_ chatId: String, limit: Int? = nil) async throws -> DaemonReply {
        try await call(.GET, Self.sessionPath(chatId, "timeline") + (limit.map { "?limit=\($0)" } ?? ""))
    }
}
