import AgentWire
import Synchronization

/// Compaction between the steps of a tool turn (the inner loop): when the
/// agent's `CompactionPolicy` holds at a step boundary, the conversation before
/// the running answer is summarised (Compactor) before the next model request
/// of the same turn. That request carries the summary, then the answer so far
/// — its tool calls with their results, steered messages and injected context,
/// whole — and goes through `prepareMessages` with reason `compaction-rebuild`.
/// The `compaction` record (covering the messages before the answer, through
/// the log's end) is durable before the request is sent, and `data-compacted`
/// goes into the turn's stream in order with its chunks: a resumed turn, the
/// next turn and a restart all start from the summary.
///
/// Only a request that continues the turn's own conversation
/// (`streamText(messages: run.messages)`) compacts between steps: messages an
/// agent built itself are not the log's to summarise.
extension HostServiceRouter {
    /// The step loop's `compactBetweenSteps` for `request`; never compacts
    /// without a policy or for messages the agent passed in.
    func compactBetweenSteps(
        for request: ModelStreamRequest, channel: TurnChannel
    ) -> @Sendable ([ModelMessage], Int) async -> ModelMessage? {
        guard request.inheritsMessages, let policy = lease.agentManifest?.compaction else { return { _, _ in nil } }
        let compactor = Compactor(policy: policy, hooks: agentHooks, models: services.models, files: files, logger: services.logger)
        let (log, probe, logger) = (log, lastStep, services.logger)
        return { messages, start in
            let prefix = Array(messages[..<start])
            guard !prefix.isEmpty, let step = probe.last, let inSeq = await log.checkpoint?.inSeq,
                  let answer = await log.runningAnswer, answer.start > 0, !answer.compacted,
                  await compactor.shouldCompact(after: step, source: .betweenSteps) else { return nil }
            do {
                let summary = try await compactor.summarize(prefix, after: step)
                let point = await log.compactionPoint
                let compaction = MessageHistory.Compaction(summary: summary, messageCount: answer.start, throughSeq: point.lastSeq)
                try await log.append([LogEntry(.state, compaction.record)])
                let rebuilt = [compaction.modelMessage] + messages[start...]
                let after = ModelRequest(system: step.system, messages: rebuilt, tools: []).estimatedInputTokens
                channel.sendControl(.compacted(
                    inSeq: inSeq, throughSeq: point.lastSeq, tokensBefore: step.inputTokens, tokensAfter: after
                ))
                logger.info("compacted a conversation between steps", metadata: [
                    "chatId": "\(log.chatId)", "throughSeq": "\(point.lastSeq)", "tokensBefore": "\(step.inputTokens)",
                    "tokensAfter": "\(after)",
                ])
                return compaction.modelMessage
            } catch {
                logger.warning("compaction between steps failed; the conversation stays whole", metadata: [
                    "chatId": "\(log.chatId)", "error": "\(error)",
                ])
                return nil
            }
        }
    }
}

/// How many of a turn's starting conversation's last messages are its answer
/// so far (`TurnLog.runningAnswer`), read from the log by the turn's first
/// model call, before that call adds to the answer.
final class AnswerTailSlot: Sendable {
    private let value = Mutex<Int??>(nil)

    /// The count, read from `log` on the first call.
    func value(from log: any TurnLog) async -> Int? {
        if let known = value.withLock({ $0 }) { return known }
        let read = await log.runningAnswer?.modelCount
        return value.withLock { slot in
            if slot == nil { slot = .some(read) }
            return slot ?? nil
        }
    }
}
