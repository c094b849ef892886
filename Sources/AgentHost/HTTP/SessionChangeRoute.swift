import Hummingbird
import NIOCore

/// `GET session-events` under `/api/v1` (secret key) and `/playground/v1`
/// (the playground's access): the session change feed (`SessionChangeFeed`)
/// as server-sent events. `id:` is the event's cursor; `Last-Event-ID` (what
/// a reconnecting `EventSource` sends) or `?after=` resumes after one.
struct SessionChangeRoute {
    let changes: SessionChangeFeed

    /// - Parameters:
    ///   - group: a group whose middleware has admitted the caller.
    func register(on group: some RouterMethods<HostRequestContext>) {
        group.get("session-events") { request, _ in
            let after = request.headers.value(named: "last-event-id") ?? request.uri.queryParameters.get("after")
            let deliveries = await changes.subscribe(after: after)
            // The headers of every SSE route of the daemon, as `/out` sends them.
            return Response(status: .ok, headers: AllRecordsFraming.headers, body: ResponseBody { writer in
                for try await delivery in deliveries {
                    switch delivery {
                    case .event(let id, let data):
                        var buffer = ByteBuffer()
                        ServerSentEvents.write(textId: id, data: data, into: &buffer)
                        try await writer.write(buffer)
                    case .idle:
                        try await writer.write(ServerSentEvents.keepAlive)
                    }
                }
                try await writer.finish(nil)
            })
        }
    }
}
