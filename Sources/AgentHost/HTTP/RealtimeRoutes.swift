import AgentWire
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/realtime/v1`: what a browser holding a session-scoped token uses.
struct RealtimeRoutes {
    let sessions: SessionDirectory
    let storage: any SessionStorage
    let auth: Authenticator
    /// A comment line this often keeps proxies from closing a quiet stream.
    var keepAliveInterval: Duration = .seconds(15)

    struct Accepted: Encodable {
        var seq: Int64
    }

    struct History: Encodable {
        var messages: [UIMessage]
        var lastSeq: Int64
    }

    func register(on router: Router<HostRequestContext>) {
        router.post("/realtime/v1/sessions/:chatId/in") { request, context in
            let chatId = try context.parameters.chatId()
            try await auth.require(.write, chatId: chatId, request.headers)
            var request = request
            let input = try await request.decodeJSON(InputRecord.self)
            try input.validate()
            let key = try request.headers.idempotencyKey()
            let seq = try await sessions.withSession(chatId) { try await $0.submit(input, idempotencyKey: key) }
            return try Response.json(Accepted(seq: seq))
        }

        router.get("/realtime/v1/sessions/:chatId/messages") { request, context in
            let chatId = try context.parameters.chatId()
            try await auth.require(.read, chatId: chatId, request.headers)
            let (messages, lastSeq) = try await sessions.session(chatId).messages
            return try Response.json(History(messages: messages, lastSeq: lastSeq))
        }

        router.get("/realtime/v1/sessions/:chatId/out") { request, context in
            let chatId = try context.parameters.chatId()
            try await auth.require(.read, chatId: chatId, request.headers)
            let resumeText = request.headers.value(named: "last-event-id") ?? request.uri.queryParameters.get("lastEventId")
            let after = try resumeText.map { text -> Int64 in
                guard let seq = Int64(text), seq >= 0 else {
                    throw AgentHostError.badRequest("`Last-Event-ID` must be a seq from this stream")
                }
                return seq
            } ?? 0
            let subscription = try await sessions.withSession(chatId) { try await $0.subscribe() }
            let body = outputStream(subscription: subscription, chatId: chatId, after: after)
            return Response(status: .ok, headers: SSEHeaders.fields, body: body)
        }
    }

    /// Everything after `after`: from storage, then live, one write per batch.
    private func outputStream(subscription: LiveSubscription, chatId: String, after: Int64) -> ResponseBody {
        let events = SessionFeed.events(
            chatId: chatId, subscription: subscription, storage: storage, after: after, heartbeat: keepAliveInterval
        )
        return ResponseBody { writer in
            for try await event in events {
                switch event {
                case .idle:
                    try await writer.write(ServerSentEvents.keepAlive)
                case .records(let records):
                    try await writer.write(ServerSentEvents.events(records))
                }
            }
            try await writer.finish(nil)
        }
    }
}

enum SSEHeaders {
    static var fields: HTTPFields {
        var fields: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        if let name = HTTPField.Name("x-accel-buffering") { fields[name] = "no" }
        return fields
    }
}

extension HTTPFields {
    /// A header by case-insensitive name, for names HTTPTypes has no constant for.
    func value(named name: String) -> String? {
        first { $0.name.canonicalName == name.lowercased() }?.value
    }

    /// The `Idempotency-Key` of an input, validated.
    func idempotencyKey() throws(AgentHostError) -> String? {
        guard let key = value(named: "idempotency-key") else { return nil }
        guard !key.isEmpty, key.count <= 255 else { throw .badRequest("`Idempotency-Key` must be 1 to 255 characters") }
        return key
    }
}
