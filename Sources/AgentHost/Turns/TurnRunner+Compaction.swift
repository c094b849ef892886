import Foundation
import AgentWire

/// Compaction at the end of a turn (the outer loop): when the agent's
/// `CompactionPolicy` says so after the last step, the conversation is
/// summarised (Compactor) and the log gets a `compaction` record (private: the
/// summary and what it covers) and a transient `data-compacted` part, before
/// `data-turn-complete`. The model's conversation starts from the summary from
/// then on (`MessageHistory`), across restarts, evictions and new builds,
/// because the log holds it. Between the steps of a turn: HostServiceRouter+Compaction.
extension TurnRunner {
    /// The records that compact the conversation now, or none when the policy
    /// does not ask for it, the turn did not end well, or the summary failed
    /// (logged: a failed summary never fails the turn that triggered it).
    static func compactionEntries(
        log: any TurnLog, inSeq: Int64, ending: [UIChunk], lastStep: LastStepProbe?, services: TurnServices
    ) async -> [LogEntry] {
        guard let step = lastStep?.last, endedWell(ending), await services.registry.activeManifest(of: log.agent)?.compaction != nil,
              let lease = try? await services.registry.lease(agent: log.agent) else { return [] }
        let entries = await compactionEntries(log: log, inSeq: inSeq, step: step, lease: lease, services: services)
        await services.registry.release(lease)
        return entries
    }

    /// As above, with the agent's active build leased: its policy and hooks decide.
    private static func compactionEntries(
        log: any TurnLog, inSeq: Int64, step: LastStepProbe.Step, lease: GenerationLease, services: TurnServices
    ) async -> [LogEntry] {
        guard let policy = lease.agentManifest?.compaction else { return [] }
        let compactor = Compactor(
            policy: policy, hooks: AgentHookCall(lease: lease, chatId: log.chatId, timeout: services.limits.toolTimeout),
            models: services.models, files: ModelFileResolver(store: services.files, chatId: log.chatId), logger: services.logger
        )
        guard await compactor.shouldCompact(after: step, source: .turnEnd) else { return [] }
        let point = await log.compactionPoint
        guard point.messageCount > 0 else { return [] }
        do {
            let summary = try await compactor.summarize(await log.modelConversation, after: step)
            let compaction = MessageHistory.Compaction(summary: summary, messageCount: point.messageCount, throughSeq: point.lastSeq)
            let after = ModelRequest(system: step.system, messages: [compaction.modelMessage], tools: []).estimatedInputTokens
            services.logger.info("compacted a conversation", metadata: [
                "chatId": "\(log.chatId)", "throughSeq": "\(point.lastSeq)", "tokensBefore": "\(step.inputTokens)", "tokensAfter": "\(after)",
            ])
            return [
                LogEntry(.state, compaction.record),
                .control(.compacted(inSeq: inSeq, throughSeq: point.lastSeq, tokensBefore: step.inputTokens, tokensAfter: after)),
            ]
        } catch {
            services.logger.warning("compaction failed; the conversation stays whole", metadata: [
                "chatId": "\(log.chatId)", "error": "\(error)",
            ])
            return []
        }
    }

    /// A turn that finished (not stopped, not failed) may compact.
    private static func endedWell(_ ending: [UIChunk]) -> Bool {
        !ending.contains { chunk in
            switch chunk {
            case .abort, .error: true
            case .finish(let reason): reason == .error
            default: false
            }
        }
    }
}
