import Tracing

/// The daemon's span names, and how its code starts spans: under the task's
/// current context (`ServiceContext.current`), through the process-global tracer
/// — a no-op one unless the executable bootstrapped OpenTelemetry (`TracingBootstrap`).
///
/// The tree of one turn: `agent.turn` → `agent.step` → `model.request` and `tool.call`.
enum HostTracing {
    static let turn = "agent.turn"
    static let step = "agent.step"
    static let modelRequest = "model.request"
    static let toolCall = "tool.call"

    /// A span under the current task's context; the caller ends it.
    /// - Parameters:
    ///   - name: one of the names above.
    ///   - context: the parent; the task's current context by default.
    static func startSpan(_ name: String, context: ServiceContext? = nil) -> any Span {
        Tracing.startSpan(name, context: context ?? ServiceContext.current ?? .topLevel)
    }

    /// Runs `operation` in a span of its own, which is current for it (its child spans nest under it).
    static func withSpan<T>(
        _ name: String, isolation: isolated (any Actor)? = #isolation, _ operation: (any Span) async throws -> T
    ) async rethrows -> T {
        try await Tracing.withSpan(name, context: ServiceContext.current ?? .topLevel, isolation: isolation, operation)
    }
}
