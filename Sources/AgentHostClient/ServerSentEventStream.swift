import AgentWire
import AsyncHTTPClient
import NIOCore

/// A `text/event-stream` response body as events, in order, until the daemon
/// ends it or the reader stops. Each network read is parsed once, straight
/// from its buffer; no task or queue sits between the socket and the reader.
public struct ServerSentEventStream: AsyncSequence, Sendable {
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
        var next = 0

        /// The next event; nil when the daemon ended the stream. Throws when the
        /// connection fails or a line is longer than the parser allows.
        public mutating func next() async throws -> ServerSentEvent? {
            while next == pending.count {
                guard let buffer = try await body.next() else { return nil }
                pending = try parser.feed(buffer.readableBytesView)
                next = 0
            }
            defer { next += 1 }
            return pending[next]
        }
    }
}
