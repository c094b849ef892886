import Hummingbird

/// `GET /realtime/v1/sessions/{chatId}/turn`: which turn a reconnecting client
/// should follow, and where the session stands.
///
/// A browser that reloads mid-answer knows the chat id but not the seq of the
/// input being answered. With it, the client reads `…/out` after that seq and
/// keeps exactly that turn (`/sdk/agent-chat.js` `reconnectToStream` does this).
struct ActiveTurnRoute {
    let sessions: SessionDirectory

    struct ActiveTurn: Encodable {
        var chatId: String
        var status: SessionStatus
        /// The seq of the input the running (or next queued) turn answers; absent when none.
        var inSeq: Int64?
        var lastSeq: Int64
    }

    /// - Parameters:
    ///   - reads: the `/realtime/v1` group behind `AuthMiddleware(.session(.read))`.
    func register(on reads: some RouterMethods<HostRequestContext>) {
        reads.get("sessions/:chatId/turn") { _, context in
            let chatId = try context.parameters.chatId()
            let session = try await sessions.view(chatId)
            let info = await session.info
            let inSeq = await session.activeTurnInSeq
            return try Response.json(ActiveTurn(chatId: chatId, status: info.status, inSeq: inSeq, lastSeq: info.lastSeq))
        }
    }
}
