/// A turn's conversation, as `run.messages`: the newest message at hand, the
/// earlier ones kept by the host until the agent asks for them.
///
/// The host owns every session's history. Handing all of it to the plugin on
/// every turn would make a turn's cost grow with the chat's length, so a turn
/// starts with the newest message only. Pass `run.messages` to `streamText` as
/// it is and the host answers the whole conversation without it ever crossing;
/// call `load()` when the agent itself needs to read or change the past.
///
/// ```swift
/// // The usual case: nothing crosses.
/// try await streamText(messages: run.messages, signal: run.signal)
///
/// // Reading or reshaping the conversation: fetch it once.
/// var messages = try await run.messages.load()
/// messages.removeAll { $0.role == "assistant" && $0.parts.isEmpty }
/// try await streamText(messages: messages, signal: run.signal)
/// ```
public struct ChatMessages: Sendable {
    /// How many messages the conversation has, the newest included.
    public let count: Int
    /// The newest message: the user message this turn answers, or, when `run`
    /// is called again to continue a cut-off turn, the answer so far.
    public var last: UIMessage? { known.last }
    /// The newest messages (all of them when nothing was left out).
    let known: [UIMessage]
    let turnId: UInt64

    /// The conversation of a turn.
    /// - Parameters:
    ///   - known: The newest messages the host sent.
    ///   - omitted: How many earlier ones it left out.
    ///   - turnId: The turn, for fetching the rest.
    init(known: [UIMessage], omitted: Int, turnId: UInt64) {
        self.known = known
        self.count = known.count + max(0, omitted)
        self.turnId = turnId
    }

    /// Whether every message is already here (an older host sends them all).
    var isComplete: Bool { known.count == count }

    /// Every message of the conversation, the newest last, fetched from the host
    /// when they are not here yet (one call; its cost grows with the conversation).
    /// - Throws: `StreamTextError` when the host refuses, `CancellationError` when the turn was stopped.
    public func load() async throws -> [UIMessage] {
        if isComplete { return known }
        let reply = try await PluginRuntime.host.callService(
            turnId: turnId, service: HostService.conversationMessages, request: "{}"
        )
        return try WireCoding.decode(ConversationReply.self, from: reply).messages
    }
}
