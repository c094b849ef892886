import AgentWire
import AsyncHTTPClient
import NIOCore

extension AgentHostClient {
    /// Opens the session change feed (secret key): one event per change, its
    /// `id` the event's cursor and its `data` a `{"type":"session","changes":[…],"session":{…}}`
    /// object (the session as the list shows it) or `{"type":"reset"}` (list
    /// the sessions, then apply what follows). Ends only when the daemon ends
    /// it or the reader stops.
    /// - Parameters:
    ///   - cursor: The last event id seen, or a list's `feedCursor`: the feed
    ///     resumes after it. Nil (or a cursor the daemon no longer holds) starts with a `reset`.
    ///   - timeout: How long the daemon may take to answer (its response head); the feed
    ///     stays open until the daemon ends it or the reading task is cancelled.
    public func sessionChanges(after cursor: String? = nil, timeout: TimeAmount = .hours(1)) async throws -> ServerSentEventStream {
        let headers = cursor.map { [(name: "Last-Event-ID", value: $0)] } ?? []
        let response = try await http.execute(makeRequest(.GET, "/api/v1/session-events", headers: headers), timeout: timeout)
        guard response.status == .ok else {
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            throw AgentHostClientError(reply: DaemonReply(status: Int(response.status.code), headers: response.headers, body: text))
        }
        return ServerSentEventStream(body: response.body)
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
