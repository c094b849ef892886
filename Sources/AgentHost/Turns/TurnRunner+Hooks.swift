import AgentWire

/// Where a turn calls its agent's lifecycle hooks, in the order of its log:
///
/// `data-turn-start`, `start` → [`data-chat-start` → onChatStart] → onTurnStart →
/// `run` (its attempts) → onBeforeTurnComplete → `finish`/`abort`/`error` →
/// onTurnComplete → `data-turn-complete`.
///
/// A hook that fails in a turn ends it with one `error` chunk: before `run`,
/// `run` is not called; after it, the answer so far stays and the response
/// ends with `finish` `error`; a turn that failed already keeps its own error.
extension TurnRunner {
    /// The start hooks, `run`, and onBeforeTurnComplete; returns the chunks that close the response.
    static func runHooked(
        log: any TurnLog, handle: TurnHandle, inSeq: Int64, checkpoint: TurnCheckpoint?, context: TurnContext,
        services: TurnServices
    ) async throws -> [UIChunk] {
        let hooks = services.hooks
        let stepOpen = checkpoint?.stepOpen ?? false
        var chatStarted = false
        if context.chatStartPending {
            // The record goes first: whatever happens from here on, the hook is never called twice.
            let outcome = try await hooks.call(.onChatStart, agent: log.agent, into: log, before: {
                try await log.append([.control(.chatStart(inSeq: inSeq))])
            }, event: { context.event(.onChatStart, log: log) })
            if case .failed(let text) = outcome { return failure(text, stepOpen: stepOpen) }
            chatStarted = outcome != .notCalled
        }
        // A resumed turn had its onTurnStart before it was cut off — unless it
        // was cut off before even onChatStart (whose record was missing), which comes first.
        if checkpoint == nil || chatStarted {
            let outcome = try await hooks.call(.onTurnStart, agent: log.agent, into: log) {
                context.event(.onTurnStart, log: log)
            }
            if case .failed(let text) = outcome { return failure(text, stepOpen: stepOpen) }
        }
        let ending = try await drive(log: log, handle: handle, inSeq: inSeq, checkpoint: checkpoint, context: context, services: services)
        let outcome = try await hooks.call(.onBeforeTurnComplete, agent: log.agent, into: log) {
            await completeEvent(.onBeforeTurnComplete, log: log, context: context, pending: ending)
        }
        guard case .failed(let text) = outcome else { return ending }
        return failing(ending, with: text)
    }

    /// Commits the closing chunks, calls onTurnComplete, then commits `data-turn-complete`.
    /// - Parameters:
    ///   - lastStep: The turn's last model step, for compaction (TurnRunner+Compaction).
    static func complete(
        log: any TurnLog, inSeq: Int64, ending: [UIChunk], context: TurnContext, services: TurnServices, lastStep: LastStepProbe? = nil
    ) async throws {
        var committed = false
        let outcome = try await services.hooks.call(.onTurnComplete, agent: log.agent, into: log, before: {
            try await log.append(ending.map(LogEntry.output))
            committed = true
        }, event: { await completeEvent(.onTurnComplete, log: log, context: context, pending: []) })
        var closing = committed ? [] : ending.map(LogEntry.output)
        if case .failed(let text) = outcome, await log.turnSummary.checkpoint?.errorText == nil {
            // After `finish`, before the turn's end: the client still hears it.
            closing.append(.output(.error(errorText: text)))
        }
        let compaction = await compactionEntries(log: log, inSeq: inSeq, ending: ending, lastStep: lastStep, services: services)
        if !compaction.isEmpty {
            // The summary covers the finished answer: that is committed first.
            if !closing.isEmpty { try await log.append(closing) }
            closing = compaction
        }
        closing.append(.control(.turnComplete(inSeq: inSeq)))
        try await log.append(closing)
    }

    /// `ending` with the hook's error: an error already there stays the only one.
    private static func failing(_ ending: [UIChunk], with text: String) -> [UIChunk] {
        if ending.contains(where: { if case .error = $0 { true } else { false } }) { return ending }
        return [.error(errorText: text)] + ending.map { chunk in
            if case .finish = chunk { return .finish(finishReason: .error) }
            return chunk
        }
    }

    /// A turn-complete event: the context, the answer, how it ended (the log's
    /// record, and `pending` chunks not committed yet) and the usage.
    private static func completeEvent(
        _ hook: LifecycleHook, log: any TurnLog, context: TurnContext, pending: [UIChunk]
    ) async -> HookEvent {
        let summary = await log.turnSummary
        var checkpoint = summary.checkpoint ?? TurnCheckpoint(inSeq: 0)
        for chunk in pending { checkpoint.apply(chunk) }
        var event = context.event(hook, log: log)
        event.responseMessage = summary.response
        event.finishReason = checkpoint.errorText != nil ? .error : checkpoint.finishReason
        event.stopped = checkpoint.stopped
        event.error = checkpoint.errorText
        event.usage = checkpoint.usage
        event.totalUsage = summary.totalUsage
        return event
    }
}
