import AgentWire

/// Reads one child turn from the child's log, from storage and then live, folds
/// its answer as `useChat` would, streams snapshots of it into the parent's
/// tool call, and returns the answer once the turn is complete.
struct SubAgentFollower {
    let chatId: String
    let agent: String
    let inSeq: Int64
    /// The parent's tool call the snapshots go to; nil: a call from `run`.
    let toolCallId: String?
    let channel: TurnChannel

    private var filter: TurnFilter
    private var answer = MessageHistory()
    private var errorText: String?
    private var stopped = false
    private var lastSnapshot: ContinuousClock.Instant?

    init(chatId: String, agent: String, inSeq: Int64, toolCallId: String?, channel: TurnChannel) {
        self.chatId = chatId
        self.agent = agent
        self.inSeq = inSeq
        self.toolCallId = toolCallId
        self.channel = channel
        filter = TurnFilter(inSeq: inSeq)
    }

    /// Follows the child turn to its `turn-complete`.
    /// - Parameters:
    ///   - subscription: The child's live records, taken before its input was written.
    ///   - storage: Where the records before the subscription are read.
    ///   - resubscribe: A new subscription, when this reader fell behind.
    mutating func follow(
        from subscription: LiveSubscription, storage: any SessionStorage,
        resubscribe: () async throws -> LiveSubscription
    ) async throws -> AgentCallReply {
        var subscription = subscription
        var after = inSeq
        while true {
            do {
                for try await event in SessionFeed.events(chatId: chatId, subscription: subscription, storage: storage, after: after) {
                    guard case .records(let records) = event else { continue }
                    for record in records {
                        after = record.seq
                        switch filter.verdict(for: record) {
                        case .skip: continue
                        case .forward: take(record)
                        case .end: return try finished()
                        }
                    }
                    snapshot()
                }
            } catch is LiveBuffer.FellBehind {
                // Fell past the live buffer's limit: read on from storage.
                subscription = try await resubscribe()
                continue
            }
            try Task.checkCancellation()
            throw SubAgentError.failed(agent: agent, chatId: chatId, reason: "its session was closed before it answered")
        }
    }

    private mutating func take(_ record: LogRecord) {
        guard let body = try? WireCoding.decode(JSONValue.self, from: record.body) else { return }
        answer.apply(record, body: body)
        guard record.kind == .output else { return }
        switch UIChunk(json: body) {
        case .error(let text)?: errorText = text
        case .abort?: stopped = true
        default: break
        }
    }

    /// The answer so far as the call's preliminary output, at most every `snapshotInterval`.
    private mutating func snapshot() {
        guard let toolCallId, channel.isRunningToolCall(toolCallId), let message = answer.messages.last else { return }
        let now = ContinuousClock.now
        if let lastSnapshot, now - lastSnapshot < SubAgentCalls.snapshotInterval { return }
        lastSnapshot = now
        channel.send(.toolOutputPreliminary(toolCallId: toolCallId, output: snapshotJSON(message)))
    }

    /// The child's message, its `metadata.subAgent` naming the child session
    /// (so a client can link to its own stream and history).
    private func snapshotJSON(_ message: UIMessage) -> JSONValue {
        var message = message
        var metadata: [String: JSONValue] = [:]
        if case .object(let fields)? = message.metadata { metadata = fields }
        metadata["subAgent"] = ["chatId": .string(chatId), "agent": .string(agent)]
        message.metadata = .object(metadata)
        return (try? WireCoding.decode(JSONValue.self, from: WireCoding.encode(message))) ?? .null
    }

    private func finished() throws -> AgentCallReply {
        if let errorText { throw SubAgentError.failed(agent: agent, chatId: chatId, reason: errorText) }
        if stopped { throw SubAgentError.stopped(agent: agent, chatId: chatId) }
        let message = answer.messages.last ?? UIMessage(id: "empty", role: "assistant", parts: [])
        return AgentCallReply(chatId: chatId, text: message.text, message: message)
    }
}
