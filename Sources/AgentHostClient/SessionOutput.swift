import AgentWire
import AsyncHTTPClient
import NIOCore

/// A session's open output stream (`GET …/out`): its records in seq order, as
/// they are written, until the daemon ends the stream (the session closed) or
/// the reader stops (read with `ServerSentEventStream`).
public struct SessionOutput: AsyncSequence, Sendable {
    public typealias Element = StreamEvent

    let body: HTTPClientResponse.Body

    /// Starts reading; iterate once; dropping the iterator drops the connection.
    public func makeAsyncIterator() -> Iterator {
        Iterator(events: ServerSentEventStream(body: body).makeAsyncIterator())
    }

    /// Reads events in order; not shared between tasks.
    public struct Iterator: AsyncIteratorProtocol {
        var events: ServerSentEventStream.Iterator

        /// The next record; nil when the daemon ended the stream. Throws when the
        /// connection fails or a line is longer than the parser allows.
        public mutating func next() async throws -> StreamEvent? {
            while let event = try await events.next() {
                // Every record the daemon streams carries its seq; anything else is not a record.
                if let id = event.id.flatMap({ Int64($0) }) { return StreamEvent(id: id, data: event.data) }
            }
            return nil
        }
    }
}

extension AgentHostClient {
    /// Opens the session's output stream after `lastEventId` (every record when nil).
    /// - Parameters:
    ///   - chatId: The session's id.
    ///   - lastEventId: The last seq already seen; the stream starts after it.
    ///   - timeout: How long the daemon may take to answer (its response head). The stream
    ///     itself is not bounded by it: a session's stream stays open, with keep-alives, until
    ///     it closes or the reading task is cancelled.
    public func output(_ chatId: String, after lastEventId: Int64? = nil, timeout: TimeAmount = .hours(1)) async throws -> SessionOutput {
        let headers = lastEventId.map { [(name: "Last-Event-ID", value: String($0))] } ?? []
        let response = try await http.execute(makeRequest(.GET, Self.sessionPath(chatId, "out"), headers: headers), timeout: timeout)
        guard response.status == .ok else {
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            throw AgentHostClientError(reply: DaemonReply(status: Int(response.status.code), headers: response.headers, body: text))
        }
        return SessionOutput(body: response.body)
    }
}
