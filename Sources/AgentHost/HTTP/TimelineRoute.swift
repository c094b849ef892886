import Hummingbird

/// `GET /realtime/v1/sessions/{chatId}/timeline`: the session's latest turns
/// as a timeline (`TurnTimeline`) — steps, models, builds, tokens, tool calls
/// with durations, upgrades and interruptions. `?limit=` turns (1 to 200, default 20).
struct TimelineRoute {
    let storage: any SessionStorage

    /// - Parameters:
    ///   - reads: the `/realtime/v1` group behind `AuthMiddleware(.session(.read))`.
    func register(on reads: some RouterMethods<HostRequestContext>) {
        reads.get("sessions/:chatId/timeline") { request, context in
            let chatId = try context.parameters.chatId()
            let limit = try request.uri.queryParameters.get("limit").map { text -> Int in
                guard let value = Int(text), (1...200).contains(value) else {
                    throw AgentHostError.badRequest("`limit` must be an integer from 1 to 200")
                }
                return value
            } ?? 20
            guard try await storage.session(chatId: chatId) != nil else { throw AgentHostError.notFound("no session `\(chatId)`") }
            return try Response.json(try await TurnTimeline.load(chatId: chatId, storage: storage, limit: limit))
        }
    }
}
