import AgentWire
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/api/chat/{agent}`: the AI SDK's `DefaultChatTransport` talks to these
/// routes unchanged (`useChat({ transport: new DefaultChatTransport({ api }) })`).
///
/// The client posts its whole message list; only the newest message is taken —
/// the history lives in the session log, which is the source of truth. A newest
/// message from the assistant is a person's answer to its tool calls (after
/// `addToolApprovalResponse` / `addToolOutput`): the turn continues that message. The
/// answer is that one turn's UI message stream, framed as the AI SDK's own
/// server frames it (reference/protocols.md §1.1–1.2): `data: <chunk>` events,
/// then `data: [DONE]`. The host's `data-turn-start`/`data-turn-complete`
/// framing is not forwarded (this response frames the turn itself); other
/// control parts are transient data parts and reach `onData`.
///
/// A client that disconnects does not stop the turn: the session keeps
/// answering, and `GET …/{chatId}/stream` (what `useChat({ resume: true })`
/// calls) replays the running turn from its `start`, or answers 204.
///
/// Auth: the chat id of a `POST` is in its body, so the `AuthMiddleware(.anyCredential)`
/// in front of it admits any valid credential (before the body is read) and the
/// handler checks the write and read scopes (it streams the answer back) once it has the id; the resume route takes the
/// chat id from its path, behind `AuthMiddleware(.session(.read))`.
struct AIChatRoutes {
    let sessions: SessionDirectory
    let storage: any SessionStorage
    var heartbeat: Duration = .seconds(15)

    /// The body `DefaultChatTransport` sends; extra fields from `body:` options are ignored.
    struct ChatRequest: Decodable {
        var id: String
        var messages: [UIMessage]
        var trigger: String?
        var messageId: String?
        /// The client's data for this turn, merged over the session's creation clientData.
        var metadata: JSONValue?
    }

    /// - Parameters:
    ///   - turns: the `/api/chat/:agent` group behind `AuthMiddleware(.anyCredential)`.
    ///   - resumes: the `/api/chat/:agent` group behind `AuthMiddleware(.session(.read))`.
    func register(turns: some RouterMethods<HostRequestContext>, resumes: some RouterMethods<HostRequestContext>) {
        turns.post("") { request, context in
            let agent = try Self.agent(context.parameters)
            var request = request
            let body = try await request.decodeJSON(ChatRequest.self)
            // The response streams the answer: writing alone is not enough to read it.
            let principal = try context.authenticatedPrincipal()
            try principal.require(.write, chatId: body.id)
            try principal.require(.read, chatId: body.id)
            let input = try Self.input(from: body)
            let key = try request.headers.idempotencyKey()
            _ = try await sessions.create(chatId: body.id, agent: agent, clientData: nil, metadata: nil)
            // Subscribed first: the turn's records are then either in storage or on the stream.
            let (submission, subscription) = try await sessions.acceptFollowing(chatId: body.id, input: input, idempotencyKey: key)
            if !submission.startsTurn, let answered = input.continuedMessageId {
                // An answer that leaves calls waiting, or one given before: no turn
                // answers it, so the response only closes the continued message.
                return Self.answerRecorded(messageId: answered)
            }
            return turnStream(chatId: body.id, subscription: subscription, inSeq: submission.seq, connection: context.connection)
        }

        resumes.get(":chatId/stream") { _, context in
            let agent = try Self.agent(context.parameters)
            let chatId = try context.parameters.chatId()
            let session: Session
            do {
                session = try await sessions.view(chatId)
            } catch AgentHostError.notFound {
                // A chat that was never started has nothing to resume.
                return Response(status: .noContent)
            }
            guard session.agent == agent else {
                throw AgentHostError.conflict("session `\(chatId)` belongs to agent `\(session.agent)`")
            }
            guard let inSeq = await session.activeTurnInSeq else { return Response(status: .noContent) }
            let subscription = try await sessions.subscribe(chatId: chatId)
            return turnStream(chatId: chatId, subscription: subscription, inSeq: inSeq, connection: context.connection)
        }
    }

    /// The input record for the newest message of the request.
    static func input(from body: ChatRequest) throws -> InputRecord {
        let input: InputRecord
        switch body.trigger ?? "submit-message" {
        case "regenerate-message":
            input = InputRecord(kind: .message, trigger: "regenerate-message", metadata: body.metadata, messageId: body.messageId)
        case "submit-message":
            guard let newest = body.messages.last else {
                throw AgentHostError.badRequest("`messages` is empty; the newest message is the one to answer")
            }
            // A user message with an id the history has is an edit (`sendMessage({messageId})`):
            // it replaces that message, and what followed it is answered again.
            input = InputRecord(kind: .message, message: newest, trigger: "submit-message", metadata: body.metadata)
        case "action":
            // DefaultChatTransport has no actions; they are inputs of their own, not turns.
            throw AgentHostError.badRequest(
                "actions are not sent to /api/chat: POST {\"kind\":\"action\",\"action\":…} to /realtime/v1/sessions/{chatId}/in"
            )
        case let other:
            throw AgentHostError.badRequest("unknown trigger `\(other)`")
        }
        try input.validate()
        return input
    }

    /// The response to a tool answer that starts no turn: `start` (the continued
    /// message), `finish` with `tool-calls`, `[DONE]` — `useChat` keeps the message
    /// and waits for the remaining answers.
    private static func answerRecorded(messageId: String) -> Response {
        var buffer = ByteBuffer()
        for chunk in [UIChunk.start(messageId: messageId), .finish(finishReason: .toolCalls)] {
            ServerSentEvents.write(id: nil, data: chunk.json.jsonText, into: &buffer)
        }
        buffer.writeImmutableBuffer(ServerSentEvents.done)
        return Response(status: .ok, headers: TurnFraming.headers, body: ResponseBody(byteBuffer: buffer))
    }

    /// One turn's chunks as SSE, from its `start` to `[DONE]`.
    private func turnStream(chatId: String, subscription: LiveSubscription, inSeq: Int64, connection: any Channel) -> Response {
        let events = SessionFeed.events(
            chatId: chatId, subscription: subscription, storage: storage, after: inSeq, heartbeat: heartbeat
        )
        return SSEResponse(events: events, framing: TurnFraming(inSeq: inSeq), connection: connection).response()
    }

    private static func agent(_ parameters: Parameters) throws -> String {
        guard let value = parameters.get("agent"), !value.isEmpty else { throw AgentHostError.badRequest("missing agent in path") }
        return value.removingPercentEncoding ?? value
    }
}
