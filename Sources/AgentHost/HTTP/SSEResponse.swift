import AgentWire
import HTTPTypes
import Hummingbird
import NIOCore

/// The one SSE response of the daemon: a session's feed (`SessionFeed.events`)
/// written as server-sent events, one socket write per batch, a keep-alive
/// comment whenever the feed is idle.
///
/// What each batch of records becomes is the framing's business
/// (`SSEFraming`): every record with its seq as `id:` for `/out`, or one turn's
/// chunks and then `[DONE]` for the AI SDK routes.
struct SSEResponse<Framing: SSEFraming, Events: AsyncSequence<SessionFeed.Event, any Error> & Sendable> {
    let events: Events
    var framing: Framing
    /// The reader's in-band token refresh: a `data-token` event (no `id:`)
    /// right before a `data-turn-complete` when its token is near expiry.
    var tokenRefresh: InBandTokenRefresh?
    /// The reader's connection, ended after the last write when the daemon
    /// stops; nil for a response written elsewhere than a socket (unit tests).
    let connection: (any Channel)?

    /// - Parameters:
    ///   - events: the session's feed, from `SessionFeed.events`.
    ///   - framing: what each batch of records becomes.
    ///   - tokenRefresh: the reader's token refresh; nil for a reader without a public token.
    ///   - connection: the request's connection (`HostRequestContext.connection`); no
    ///     default, so a route cannot forget it and lose a stream's last writes at shutdown.
    init(events: Events, framing: Framing, tokenRefresh: InBandTokenRefresh? = nil, connection: (any Channel)?) {
        self.events = events
        self.framing = framing
        self.tokenRefresh = tokenRefresh
        self.connection = connection
    }

    /// The `200` response that streams the feed until it ends, the framing
    /// says the stream is complete, or the client goes away (a write fails).
    func response() -> Response {
        Response(status: .ok, headers: Framing.headers, body: body())
    }

    private func body() -> ResponseBody {
        ResponseBody { [events, framing, tokenRefresh, connection] writer in
            var framing = framing
            var tokenRefresh = tokenRefresh
            do {
                for try await event in events {
                    guard case .records(let records) = event else {
                        try await writer.write(ServerSentEvents.keepAlive)
                        continue
                    }
                    var buffer = ByteBuffer()
                    var complete = false
                    // The token goes before the turn-complete, so a client that stops
                    // reading at a turn's end (`AgentChatTransport.turn`) still gets it.
                    var rest = records[...]
                    while !complete, let end = tokenRefresh == nil ? nil : rest.firstIndex(where: \.isTurnComplete) {
                        complete = framing.write(Array(rest[..<end]), into: &buffer)
                        if !complete, let part = await tokenRefresh?.partIfDue() {
                            ServerSentEvents.write(id: nil, data: part.json.jsonText, into: &buffer)
                        }
                        if !complete { complete = framing.write([rest[end]], into: &buffer) }
                        rest = rest[(end + 1)...]
                    }
                    if !complete, !rest.isEmpty { complete = framing.write(Array(rest), into: &buffer) }
                    if buffer.readableBytes > 0 { try await writer.write(buffer) }
                    if complete { break }
                }
            } catch let stopping as LiveBuffer.DaemonStopping {
                // The daemon stops: the stream must drop (a clean end reads as
                // "session closed"), but only once what was written has gone out —
                // a full close would discard writes the socket has not taken yet.
                // Closing the sending side waits for them; the client then sees
                // the stream cut and resumes with `Last-Event-ID`.
                try? await connection?.close(mode: .output).get()
                throw stopping
            }
            try await writer.finish(nil)
        }
    }
}

/// What an `SSEResponse` sends for the records of a session's feed.
protocol SSEFraming: Sendable {
    /// The response headers of a stream in this framing.
    static var headers: HTTPFields { get }

    /// Appends the events for `records` to `buffer`.
    /// - Parameters:
    ///   - records: the next batch of the feed, in seq order.
    ///   - buffer: where the events go; one socket write per batch.
    /// - Returns: true when the stream is complete and the response should end.
    mutating func write(_ records: [LogRecord], into buffer: inout ByteBuffer) -> Bool
}

extension SSEFraming {
    /// `text/event-stream`, never cached, never buffered by a proxy (`x-accel-buffering: no`).
    /// - Parameters:
    ///   - uiMessageStream: adds what the AI SDK's `UI_MESSAGE_STREAM_HEADERS` add
    ///     (reference/protocols.md §1.2). `connection: keep-alive` is what HTTP/1.1
    ///     does anyway; it is sent so the response matches the reference server's
    ///     (the daemon speaks HTTP/1.1 only).
    static func eventStreamHeaders(uiMessageStream: Bool) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        var extra = [("x-accel-buffering", "no")]
        if uiMessageStream {
            fields[.connection] = "keep-alive"
            extra.insert(("x-vercel-ai-ui-message-stream", "v1"), at: 0)
        }
        for (name, value) in extra {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        return fields
    }
}

extension LogRecord {
    /// A `data-turn-complete` control record: a turn's last record.
    var isTurnComplete: Bool {
        guard kind == .control, let body = try? WireCoding.decode(JSONValue.self, from: body) else { return false }
        return UIChunk(json: body)?.control?.isTurnComplete ?? false
    }
}

extension ControlPart {
    var isTurnComplete: Bool {
        if case .turnComplete = self { true } else { false }
    }
}
