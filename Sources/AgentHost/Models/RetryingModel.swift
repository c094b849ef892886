import Logging

/// Asks a provider again when a request failed before any of its answer was
/// streamed: a 429, a 5xx, an overloaded stream, a connection that dropped
/// before the first event. Once a token was streamed it is out (the client saw
/// it), so a later failure ends the step instead: retrying would repeat text.
struct RetryingModel: LanguageModel {
    let base: any LanguageModel
    let policy: RetryPolicy
    let logger: Logger
    /// Where retries are counted.
    var metrics = HostMetrics()

    var identifier: String { base.identifier }
    var supportsAssistantPrefill: Bool { base.supportsAssistantPrefill }

    func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        let base = base
        let policy = policy
        let logger = logger
        let metrics = metrics
        return AsyncThrowingStream { continuation in
            let task = Task {
                var attempt = 0
                while true {
                    attempt += 1
                    var streamedSomething = false
                    do {
                        for try await event in base.stream(request) {
                            streamedSomething = true
                            continuation.yield(event)
                        }
                        continuation.finish()
                        return
                    } catch {
                        if Task.isCancelled {
                            continuation.finish(throwing: CancellationError())
                            return
                        }
                        guard var failure = error as? ModelProviderError else {
                            continuation.finish(throwing: error)
                            return
                        }
                        guard !streamedSomething, failure.isRetryable,
                              let delay = policy.delay(afterAttempt: attempt, retryAfter: failure.retryAfter)
                        else {
                            if let retryAfter = failure.retryAfter, retryAfter > policy.maxRetryAfter, attempt < policy.maxAttempts {
                                failure = ModelProviderError(
                                    provider: failure.provider, kind: failure.kind,
                                    message: "\(failure.message); the provider asked to retry after \(retryAfter), longer than the daemon waits",
                                    retryAfter: retryAfter
                                )
                            }
                            failure.attempts = attempt
                            continuation.finish(throwing: failure)
                            return
                        }
                        metrics.modelRetried(identifier: base.identifier)
                        logger.warning("model request failed; retrying", metadata: [
                            "model": "\(base.identifier)", "attempt": "\(attempt)", "delay": "\(delay)", "error": "\(failure)",
                        ])
                        do {
                            try await Task.sleep(for: delay)
                        } catch {
                            continuation.finish(throwing: CancellationError())
                            return
                        }
                    }
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
