import AgentWire
import Logging

/// Decides on and writes the summary of one compaction (`CompactionPolicy`),
/// after a turn (TurnRunner+Compaction) or between its steps
/// (HostServiceRouter+Compaction). The predicate is the agent's
/// `shouldCompact` when it lists one, else the threshold; the summary is the
/// agent's `summarize` when it lists one, else the model's answer to the
/// summary prompt — a request that goes through the agent's `prepareMessages`
/// (reason `compaction-result`) like any other.
struct Compactor: Sendable {
    let policy: CompactionPolicy
    /// The agent's hooks on the build at hand; nil: the defaults only.
    let hooks: AgentHookCall?
    let models: ModelCatalog
    let files: ModelFileResolver
    let logger: Logger

    /// The prompt a summary request ends with when the policy names none.
    static let defaultInstructions = """
        Summarize the conversation so far for yourself: the user's goals, what was decided, facts and \
        numbers you will need, tool results that matter, and what is still open. Write only the summary.
        """

    /// Whether to compact after `step`. A predicate that fails or overruns
    /// counts as "no" (logged): a compaction is never worth a broken turn.
    func shouldCompact(after step: LastStepProbe.Step, source: CompactionCheck.Source) async -> Bool {
        guard let hooks, hooks.listens(to: .shouldCompact) else { return step.inputTokens > policy.maxInputTokens }
        let check = CompactionCheck(
            inputTokens: step.inputTokens, totalTokens: step.inputTokens + step.outputTokens, messageCount: step.messageCount,
            source: source, maxInputTokens: policy.maxInputTokens, chatId: hooks.chatId
        )
        do {
            return try await hooks.call(.shouldCompact, as: CompactionDecision.self) { $0.compactionCheck = check }.compact
        } catch {
            logger.warning("compaction predicate failed; not compacting", metadata: [
                "chatId": "\(hooks.chatId)", "agent": "\(hooks.agent)", "error": "\(error)",
            ])
            return false
        }
    }

    /// The summary of `conversation` (the model context to compact).
    /// - Parameters:
    ///   - step: The last step: its model writes the default summary.
    /// - Throws: What the summariser, the model or `prepareMessages` threw,
    ///   or an error for an empty summary; the caller then does not compact.
    func summarize(_ conversation: [ModelMessage], after step: LastStepProbe.Step) async throws -> String {
        let summary: String
        if let hooks, hooks.listens(to: .summarize) {
            var conversion = PromptConversion()
            let prompt = conversion.prompt(conversation)
            summary = try await hooks.call(.summarize, as: CompactionSummary.self) { $0.prompt = prompt }.summary
        } else {
            summary = try await modelSummary(of: conversation, model: step.model)
        }
        let trimmed = summary.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw AgentHostError.internalError("the summary is empty") }
        return trimmed
    }

    /// Asks the model the turn used for a summary of `conversation`.
    private func modelSummary(of conversation: [ModelMessage], model name: String?) async throws -> String {
        let model = try models.model(named: name)
        let prompt = policy.instructions ?? Self.defaultInstructions
        let resolved = try await files.resolve(conversation)
        var request = ModelRequest(system: prompt, messages: resolved + [.user(parts: [.text(prompt)])], tools: [])
        if let hooks { request = try await hooks.prepare(request, reason: .compactionResult) }
        var text = ""
        for try await event in model.stream(request) {
            if case .textDelta(let delta) = event { text += delta }
        }
        return text
    }
}
