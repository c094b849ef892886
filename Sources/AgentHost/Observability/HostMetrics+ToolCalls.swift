import Tracing

extension HostMetrics {
    /// Runs a tool call in a `tool.call` span and counts it by tool and outcome, with its duration.
    /// - Parameters:
    ///   - tool: the tool's name.
    ///   - call: the call; `.failure` counts as `errored`.
    func observeToolCall<Output, Failure: Error>(
        _ tool: String, _ call: () async -> Result<Output, Failure>
    ) async -> Result<Output, Failure> {
        let started = ContinuousClock.now
        let span = HostTracing.startSpan(HostTracing.toolCall)
        span.attributes["gen_ai.tool.name"] = tool
        let result = await ServiceContext.withValue(span.context) { await call() }
        let outcome: Outcome
        switch result {
        case .success:
            outcome = .completed
        case .failure(let failure):
            outcome = .errored
            span.setStatus(SpanStatus(code: .error, message: "\(failure)"))
        }
        span.end()
        toolCall(tool: tool, outcome: outcome, duration: ContinuousClock.now - started)
        return result
    }
}
