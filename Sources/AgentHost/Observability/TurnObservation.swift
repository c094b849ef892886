import AgentWire
import Synchronization
import Tracing

/// One turn as metrics and traces see it: counted when it begins and ends, timed
/// to its first streamed content and to its end, and traced as an `agent.turn`
/// span that the turn's steps, model requests and tool calls nest under.
///
/// The runner's path through a turn is long (hooks, builds it moves between, lost
/// workers); the observation follows the turn's task as a task-local, as its trace
/// context does, instead of being handed down every call.
final class TurnObservation: Sendable {
    /// The turn the current task runs, if any.
    @TaskLocal static var current: TurnObservation?

    private let agent: String
    private let generation: Int?
    private let metrics: HostMetrics
    private let began = ContinuousClock.now
    let span: any Span
    private struct Progress {
        var firstChunkSeen = false
        var outcome = HostMetrics.Outcome.completed
    }
    private let progress = Mutex(Progress())

    /// Counts the turn as started and opens its span under the current context
    /// (a caller's `traceparent`, when the request that started the turn carried one).
    /// - Parameters:
    ///   - generation: the agent's active build as the turn begins.
    init(agent: String, chatId: String, generation: Int?, metrics: HostMetrics) {
        self.agent = agent
        self.generation = generation
        self.metrics = metrics
        span = HostTracing.startSpan(HostTracing.turn)
        span.attributes["agent.id"] = agent
        span.attributes["agent.chat_id"] = chatId
        if let generation { span.attributes["agent.generation"] = generation }
        metrics.turnStarted(agent: agent, generation: generation)
    }

    /// A chunk of the turn was persisted: the first piece of content sets the first-chunk latency.
    func persisted(_ chunk: UIChunk) {
        switch chunk {
        case .textDelta, .reasoningDelta, .toolInputStart, .toolInputAvailable: break
        default: return
        }
        let first = progress.withLock { progress in
            defer { progress.firstChunkSeen = true }
            return !progress.firstChunkSeen
        }
        if first { metrics.turnFirstChunk(agent: agent, generation: generation, latency: ContinuousClock.now - began) }
    }

    /// The turn is about to commit its closing chunks: how it ended, its finish reason and usage.
    /// - Parameters:
    ///   - ending: the chunks that close the response (none when a resumed turn's response had ended).
    ///   - checkpoint: the turn's progress as its log tells it, before the closing chunks.
    func closing(with ending: [UIChunk], checkpoint: TurnCheckpoint?) {
        var progress = checkpoint ?? TurnCheckpoint(inSeq: 0)
        for chunk in ending { progress.apply(chunk) }
        let outcome: HostMetrics.Outcome = progress.errorText != nil ? .errored : progress.stopped ? .stopped : .completed
        self.progress.withLock { $0.outcome = outcome }
        span.attributes["agent.outcome"] = outcome.rawValue
        if let reason = progress.finishReason { span.attributes["gen_ai.response.finish_reasons"] = [reason.rawValue] }
        if let usage = progress.usage {
            span.attributes["gen_ai.usage.input_tokens"] = usage.inputTokens
            span.attributes["gen_ai.usage.output_tokens"] = usage.outputTokens
        }
        if let errorText = progress.errorText { span.setStatus(SpanStatus(code: .error, message: errorText)) }
    }

    /// The turn is over (or could not be recorded: `failed`); counts it and ends its span.
    /// - Parameters:
    ///   - generation: the build that ran the turn last; nil: the one it began on.
    func end(generation last: Int?, failed: (any Error)? = nil) {
        var outcome = progress.withLock { $0.outcome }
        if let failed {
            outcome = .errored
            span.recordError(failed)
            span.setStatus(SpanStatus(code: .error))
        }
        if let last { span.attributes["agent.generation"] = last }
        metrics.turnEnded(agent: agent, generation: last ?? generation, outcome: outcome, duration: ContinuousClock.now - began)
        span.end()
    }
}

extension TurnRunner {
    /// Runs a turn's `body` observed: counted, timed and traced, with its span
    /// current for everything the turn does (`TurnObservation`).
    static func observed(
        log: any TurnLog, handle: TurnHandle, services: TurnServices, _ body: () async throws -> Void
    ) async throws {
        let generation = await services.registry.activeGenerationId(of: log.agent)
        let observation = TurnObservation(agent: log.agent, chatId: log.chatId, generation: generation, metrics: services.metrics)
        do {
            try await ServiceContext.withValue(observation.span.context) {
                try await TurnObservation.$current.withValue(observation) { try await body() }
            }
        } catch {
            observation.end(generation: handle.generationId, failed: error)
            throw error
        }
        observation.end(generation: handle.generationId)
    }

    /// The trace context of the current task, carried into work the turn's plugin
    /// asks for (`call_service` arrives on a task of its own, which inherits nothing).
    static func carryingTraceContext(
        _ serve: @escaping TurnChannel.ServiceHandler
    ) -> TurnChannel.ServiceHandler {
        guard let context = ServiceContext.current else { return serve }
        return { channel, service, request in
            try await ServiceContext.withValue(context) { try await serve(channel, service, request) }
        }
    }
}
