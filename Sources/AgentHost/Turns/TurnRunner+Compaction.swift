import Foundation
import AgentWire

/// Compaction at the end of a turn: when the agent's `CompactionPolicy` says the
/// last step read too much, the agent's model summarises the conversation and
/// the log gets a `compaction` record (private: the summary and what it covers)
/// and a transient `data-compacted` part, before `data-turn-complete`. The
/// model's conversation starts from the summary from then on (`MessageHistory`),
/// across restarts, evictions and new builds, because the log holds it.
extension TurnRunner {
    /// The prompt a summary request ends with when the policy names none.
    static let defaultCompactionInstructions = """
        Summarize the conversation so far for yourself: the user's goals, what was decided, facts and \
        numbers you will need, tool results that matter, and what is still open. Write only the summary.
        """

    /// The records that compact the conversation now, or none when the policy
    /// does not ask for it, the turn did not end well, or the summary failed
    /// (logged: a failed summary never fails the turn that triggered it).
    static func compactionEntries(
        log: any TurnLog, inSeq: Int64, ending: [UIChunk], lastStep: LastStepProbe?, services: TurnServices
    ) async -> [LogEntry] {
        guard let step = lastStep?.last, let policy = await services.registry.activeManifest(of: log.agent)?.compaction,
              step.inputTokens > policy.maxInputTokens, endedWell(ending) else { return [] }
        let point = await log.compactionPoint
        guard point.messageCount > 0 else { return [] }
        do {
            let summary = try await summarize(log: log, model: step.model, instructions: policy.instructions, services: services)
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

    /// Asks the model the turn used for a summary of the conversation the model sees now.
    private static func summarize(log: any TurnLog, model name: String?, instructions: String?, services: TurnServices) async throws -> String {
        let model = try services.models.model(named: name)
        let prompt = instructions ?? defaultCompactionInstructions
        let files = ModelFileResolver(store: services.files, chatId: log.chatId)
        let conversation = try await files.resolve(await log.modelConversation)
        let request = ModelRequest(system: prompt, messages: conversation + [.user(parts: [.text(prompt)])], tools: [])
        var text = ""
        for try await event in model.stream(request) {
            if case .textDelta(let delta) = event { text += delta }
        }
        let summary = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !summary.isEmpty else { throw AgentHostError.internalError("the model returned an empty summary") }
        return summary
    }
}
