import AgentWire
import Tracing

/// A model whose every request is counted (`agent_host_model_*`, by provider and
/// model) and traced (a `model.request` span under the turn's step), whatever the
/// provider. `ModelCatalog` wraps every model it hands out in one.
struct InstrumentedModel: LanguageModel {
    let base: any LanguageModel
    let metrics: HostMetrics

    var identifier: String { base.identifier }
    var supportsAssistantPrefill: Bool { base.supportsAssistantPrefill }

    func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        let base = base
        let metrics = metrics
        let (provider, model) = ModelCatalog.split(base.identifier)
        return AsyncThrowingStream { continuation in
            // An unstructured task inherits the caller's task-locals: the span's parent is the step.
            let task = Task {
                let span = HostTracing.startSpan(HostTracing.modelRequest)
                span.attributes["gen_ai.system"] = provider
                span.attributes["gen_ai.request.model"] = model
                let started = ContinuousClock.now
                var usage: ModelUsage?
                var outcome = HostMetrics.Outcome.completed
                var errorKind: String?
                do {
                    for try await event in base.stream(request) {
                        if case .usage(let reported) = event { usage = ModelUsage.combine(usage, reported) }
                        if case .finish(let reason) = event { span.attributes["gen_ai.response.finish_reasons"] = [reason.rawValue] }
                        continuation.yield(event)
                    }
                    continuation.finish()
                } catch {
                    if error is CancellationError || Task.isCancelled {
                        outcome = .stopped
                    } else {
                        outcome = .errored
                        errorKind = (error as? ModelProviderError)?.kind.metricLabel ?? "other"
                        span.recordError(error)
                        span.setStatus(SpanStatus(code: .error))
                    }
                    continuation.finish(throwing: error)
                }
                metrics.modelRequest(
                    provider: provider, model: model, outcome: outcome, errorKind: errorKind,
                    duration: ContinuousClock.now - started,
                    inputTokens: usage?.inputTokens ?? 0, outputTokens: usage?.outputTokens ?? 0
                )
                if let usage {
                    span.attributes["gen_ai.usage.input_tokens"] = usage.inputTokens
                    span.attributes["gen_ai.usage.output_tokens"] = usage.outputTokens
                }
                span.end()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

extension ModelProviderError.Kind {
    /// A bounded label value: the status, not the provider's free-text error type.
    var metricLabel: String {
        switch self {
        case .http(let status): "http_\(status)"
        case .streamError: "stream_error"
        case .transport: "transport"
        case .truncated: "truncated"
        case .malformed: "malformed"
        case .unsupportedInput: "unsupported_input"
        }
    }
}
