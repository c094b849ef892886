import AgentWire
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/realtime/v1`: what a browser holding a session-scoped token uses. The
/// groups' `AuthMiddleware(.session(…))` has checked the token against the path's
/// chat id before any handler runs: write scope for `…/in`, read scope for the rest.
struct RealtimeRoutes {
    let sessions: SessionDirectory
    let storage: any SessionStorage
    /// Verifies readers' tokens and mints their in-band refreshes.
    var auth: Authenticator?
    /// When a reader's token is refreshed on its stream.
    var tokenRefresh = TokenRefreshPolicy()
    /// A comment line this often keeps proxies from closing a quiet stream.
    var keepAliveInterval: Duration = .seconds(15)

    struct Accepted: Encodable {
        var seq: Int64
        /// `false` for an answer to tool calls that starts no turn (others still
        /// wait, or it was given before); absent otherwise.
        var startsTurn: Bool?
        /// For `{"kind": "clear-queue"}`: the seqs of the waiting inputs it dropped.
        var cleared: [Int64]?
    }

    struct History: Encodable {
        var messages: [UIMessage]
        var lastSeq: Int64
    }

    /// - Parameters:
    ///   - reads: the `/realtime/v1` group behind `AuthMiddleware(.session(.read))`.
    ///   - writes: the `/realtime/v1` group behind `AuthMiddleware(.session(.write))`.
    func register(reads: some RouterMethods<HostRequestContext>, writes: some RouterMethods<HostRequestContext>) {
        writes.post("sessions/:chatId/in") { request, context in
            let chatId = try context.parameters.chatId()
            var request = request
            let input = try await request.decodeJSON(InputRecord.self)
            try input.validate()
            let key = try request.headers.idempotencyKey()
            let accepted = try await sessions.accept(chatId: chatId, input: input, idempotencyKey: key)
            let noTurn = input.isToolAnswer && !accepted.startsTurn
            let cleared = input.kind == .clearQueue ? accepted.cleared : nil
            return try Response.json(Accepted(seq: accepted.seq, startsTurn: noTurn ? false : nil, cleared: cleared))
        }

        reads.get("sessions/:chatId/messages") { _, context in
            let chatId = try context.parameters.chatId()
            let (messages, lastSeq) = try await sessions.view(chatId).messages
            return try Response.json(History(messages: messages, lastSeq: lastSeq))
        }

        // Everything after `Last-Event-ID` (or `?lastEventId=`): from storage, then live.
        reads.get("sessions/:chatId/out") { request, context in
            let chatId = try context.parameters.chatId()
            let resumeText = request.headers.value(named: "last-event-id") ?? request.uri.queryParameters.get("lastEventId")
            let after = try resumeText.map { text -> Int64 in
                guard let seq = Int64(text), seq >= 0 else {
                    throw AgentHostError.badRequest("`Last-Event-ID` must be a seq from this stream")
                }
                return seq
            } ?? 0
            let subscription = try await sessions.subscribe(chatId: chatId)
            let events = SessionFeed.events(
                chatId: chatId, subscription: subscription, storage: storage, after: after, heartbeat: keepAliveInterval
            )
            // A reader holding a public token gets a fresh one on this stream when it nears expiry.
            var refresh: InBandTokenRefresh?
            if let auth, case .token? = context.principal, let token = await auth.publicToken(request.headers) {
                refresh = InBandTokenRefresh(token: token, chatId: chatId, minter: auth.minter, policy: tokenRefresh)
            }
            return SSEResponse(events: events, framing: AllRecordsFraming(), tokenRefresh: refresh, connection: context.connection).response()
        }
    }
}
