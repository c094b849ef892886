import AgentWire
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/api/chat/{agent}`: the AI SDK's `DefaultChatTransport` talks to these
/// routes unchanged (`useChat({ transport: new DefaultChatTransport({ api }) })`).
///
/// The client posts its whole message list; only the newest message is taken —
/// the history lives in the session log, which is the source of truth. The
/// answer is that one turn's UI message stream, framed as the AI SDK's own
/// server frames it (reference/protocols.md §1.1–1.2): `data: <chunk>` events,
/// then `data: [DONE]`. The host's `data-turn-start`/`data-turn-complete`
/// framing is not forwarded (this response frames the turn itself); other
/// control parts are transient data parts and reach `onData`.
///
/// A client that disconnects does not stop the turn: the session keeps
/// answering, and `GET …/{chatId}/stream` (what `useChat({ resume: true })`
/// calls) replays the running turn from its `start`, or answers 204.
struct AIChatRoutes {
    let sessions: SessionDirectory
    let storage: any SessionStorage
    let auth: Authenticator
    var heartbeat: Duration = .seconds(15)

    /// The body `DefaultChatTransport` sends; extra fields from `body:` options are ignored.
    struct ChatRequest: Decodable {
        var id: String
        var messages: [UIMessage]
        var trigger: String?
        var messageId: String?
    }

    func register(on router: Router<HostRequestContext>) {
        router.post("/api/chat/:agent") { request, context in
            let agent = try Self.agent(context.parameters)
            // Reject missing or bad credentials before reading the body.
            _ = try await auth.principal(request.headers)
            var request = request
            let body = try await request.decodeJSON(ChatRequest.self)
            try await auth.require(.write, chatId: body.id, request.headers)
            let input = try Self.input(from: body)
            let key = try request.headers.idempotencyKey()
            _ = try await sessions.create(chatId: body.id, agent: agent, clientData: nil, metadata: nil)
            let (inSeq, subscription) = try await sessions.withSession(body.id) { session in
                // Subscribe first: the turn's records are then either in storage or on the stream.
                let subscription = try await session.subscribe()
                return (try await session.submit(input, idempotencyKey: key), subscription)
            }
            return Response(status: .ok, headers: Self.headers, body: turnStream(chatId: body.id, subscription: subscription, inSeq: inSeq))
        }

        router.get("/api/chat/:agent/:chatId/stream") { request, context in
            let agent = try Self.agent(context.parameters)
            let chatId = try context.parameters.chatId()
            try await auth.require(.read, chatId: chatId, request.headers)
            let session: Session
            do {
                session = try await sessions.session(chatId)
            } catch AgentHostError.notFound {
                // A chat that was never started has nothing to resume.
                return Response(status: .noContent)
            }
            guard session.agent == agent else {
                throw AgentHostError.conflict("session `\(chatId)` belongs to agent `\(session.agent)`")
            }
            guard let inSeq = await session.activeTurnInSeq else { return Response(status: .noContent) }
            let subscription = try await sessions.withSession(chatId) { try await $0.subscribe() }
            return Response(status: .ok, headers: Self.headers, body: turnStream(chatId: chatId, subscription: subscription, inSeq: inSeq))
        }
    }

    /// The input record for the newest message of the request.
    static func input(from body: ChatRequest) throws -> InputRecord {
        let input: InputRecord
        switch body.trigger ?? "submit-message" {
        case "regenerate-message":
            input = InputRecord(kind: .message, trigger: "regenerate-message")
        case "submit-message":
            guard let newest = body.messages.last else {
                throw AgentHostError.badRequest("`messages` is empty; the newest message is the one to answer")
            }
            input = InputRecord(kind: .message, message: newest, trigger: "submit-message")
        case let other:
            throw AgentHostError.badRequest("unknown trigger `\(other)`")
        }
        try input.validate()
        return input
    }

    /// One turn's chunks as SSE, from its `start` to `[DONE]`.
    private func turnStream(chatId: String, subscription: LiveSubscription, inSeq: Int64) -> ResponseBody {
        let events = SessionFeed.events(
            chatId: chatId, subscription: subscription, storage: storage, after: inSeq, heartbeat: heartbeat
        )
        return ResponseBody { writer in
            var filter = TurnFilter(inSeq: inSeq)
            loop: for try await event in events {
                guard case .records(let records) = event else {
                    try await writer.write(ServerSentEvents.keepAlive)
                    continue
                }
                var buffer = ByteBuffer()
                var ended = false
                for record in records {
                    switch filter.verdict(for: record) {
                    case .skip:
                        continue
                    case .forward:
                        var event = ServerSentEvents.event(id: nil, data: record.body)
                        buffer.writeBuffer(&event)
                    case .end:
                        var done = ServerSentEvents.done
                        buffer.writeBuffer(&done)
                        ended = true
                    }
                    if ended { break }
                }
                if buffer.readableBytes > 0 { try await writer.write(buffer) }
                if ended { break loop }
            }
            try await writer.finish(nil)
        }
    }

    /// `UI_MESSAGE_STREAM_HEADERS` of the AI SDK (reference/protocols.md §1.2).
    /// `connection: keep-alive` is what HTTP/1.1 does anyway; it is sent so the
    /// response matches the reference server's (the daemon speaks HTTP/1.1 only).
    static var headers: HTTPFields {
        var fields: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache", .connection: "keep-alive"]
        for (name, value) in [("x-vercel-ai-ui-message-stream", "v1"), ("x-accel-buffering", "no")] {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        return fields
    }

    private static func agent(_ parameters: Parameters) throws -> String {
        guard let value = parameters.get("agent"), !value.isEmpty else { throw AgentHostError.badRequest("missing agent in path") }
        return value.removingPercentEncoding ?? value
    }
}
